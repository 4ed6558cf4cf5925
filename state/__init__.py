"""Authenticated, sharded state over LevelDB: sparse Merkle trees, overlay, atomic commit, proofs."""
