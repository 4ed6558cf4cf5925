"""ABCI 2.0 socket server: framing, the four CometBFT connections, and the Application interface.

Knows the wire and nothing of tokens. The protobuf modules under ``abci/pb`` are generated at
install time from the pinned CometBFT module (``scripts/gen_abci_proto.py``) and never committed.
"""
