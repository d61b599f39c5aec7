//! Unit tests of the merge, per field kind.
