"""Wallet gateway (JSON-RPC 2.0 over HTTP and WebSocket) and the wallet client SDK."""
