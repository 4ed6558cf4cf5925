"""Wallet gateway (JSON-RPC 2.0 over HTTP and WebSocket) and the block explorer it serves
(``rpc.explorer``), the analytics indexer (``rpc.indexer``) and the wallet client SDK."""
