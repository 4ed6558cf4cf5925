"""The FICTRA application: tx codec and signing, ante checks, domain modules, events, params, CLI."""
