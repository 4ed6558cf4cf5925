"""Genesis: schema, validation with clear errors, and generation of N-validator networks."""
