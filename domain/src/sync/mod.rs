//! The sync engine: hybrid logical clocks, ops, field-level merge and conflicts.
