//! The mediation desk's people: mediator profiles (skills, languages,
//! capacity, availability) and declared conflicts of interest, and who may
//! manage them. Routing cases to them is the case service's
//! ([`crate::cases::assignment`]).

pub mod conflicts;
pub mod profiles;
pub mod service_policies;
pub mod triage_rules;

use crate::accounts::Caller;
use crate::domain::{Scope, UserId};
use crate::error::{ApiError, ApiResult};

/// What a caller may do with someone's desk settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Read the profile and conflicts.
    Read,
    /// Set availability, declare a conflict: the mediator themself too.
    Own,
    /// Set the whole profile, withdraw a conflict: leads and admins only.
    Manage,
}

/// Fails unless `caller` may do `access` on the desk settings of `user`:
/// leads and admins on anyone's; a mediator reads and sets their own
/// availability and conflicts (403 on anyone else's); members get 404, as
/// for users they may not see.
pub fn may(caller: &Caller, user: UserId, access: Access) -> ApiResult<()> {
    // Every answer shows a profile or a user's name: a directory read.
    caller.require_scope(Scope::DirectoryRead)?;
    if access != Access::Read {
        caller.require_scope(Scope::CasesWrite)?;
    }
    if caller.role.is_supervisor() {
        return Ok(());
    }
    if !caller.role.is_staff() {
        return Err(ApiError::NotFound("mediator profile"));
    }
    match access {
        Access::Read | Access::Own if caller.user_id == user => Ok(()),
        Access::Manage => Err(ApiError::Forbidden(
            "only leads and admins manage mediator profiles".into(),
        )),
        _ => Err(ApiError::Forbidden(
            "only leads, admins and the mediator themself may do this".into(),
        )),
    }
}

/// Fails unless `caller` is a lead or an admin (lists of everyone's
/// profiles, the triage rules).
pub fn may_list(caller: &Caller) -> ApiResult<()> {
    caller.require_scope(Scope::DirectoryRead)?;
    if caller.role.is_supervisor() {
        Ok(())
    } else {
        Err(ApiError::Forbidden(
            "only leads and admins may read the desk's settings".into(),
        ))
    }
}
