//! What the console shows, computed without a browser: the policy form and its
//! errors, the filtered audit view, chart geometry. Components render these and
//! send commands; they hold no logic worth testing on their own.

pub mod audit_view;
pub mod charts;
pub mod policy_form;

pub use audit_view::{AuditFilter, AuditView};
pub use policy_form::{FormError, FormField, PolicyForm};
