"""Wallet gateway (JSON-RPC 2.0 over HTTP and WebSocket), the analytics indexer
(``rpc.indexer``) and the wallet client SDK."""
