"""Authenticated, sharded state over LevelDB: sparse Merkle trees, overlay, atomic commit,
proofs, pruning and snapshots. Importing the package loads nothing heavy: ``state.proof``
(the verifier) needs only hashlib."""
