//! Sales rules (shared/domain.md, sales part; seed 001): validation, visit counting, grades, loss, KPIs.
