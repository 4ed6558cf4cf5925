"""The FICTRA application: tx codec and signing, ante checks, domain modules, params, CLI."""
