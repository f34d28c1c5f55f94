//! The checks, one module per concern. Each pushes [`Check`](crate::Check)
//! lines onto the report; none decides validity on its own (a report is valid
//! when no line failed).

pub(crate) mod issuer;
pub(crate) mod profiles;
pub(crate) mod proofs;
pub(crate) mod structure;
pub(crate) mod validity;
