//! Who is acting, and how they stand to one case.

use super::types::{CaseState, Party};
use crate::domain::{Role, UserId};

/// Whoever takes an action: a signed-in user, or the system itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Actor {
    /// The user; `None` for the system.
    pub user: Option<UserId>,
    /// Their role; `None` for the system.
    pub role: Option<Role>,
}

impl Actor {
    /// The system, for background jobs.
    pub fn system() -> Actor {
        Actor {
            user: None,
            role: None,
        }
    }

    /// A signed-in user.
    pub fn user(user: UserId, role: Role) -> Actor {
        Actor {
            user: Some(user),
            role: Some(role),
        }
    }
}

/// The people a case names, as far as standing goes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Roles {
    /// Who filed it.
    pub complainant: Option<UserId>,
    /// Who it is about, once they have an account.
    pub respondent: Option<UserId>,
    /// The assigned mediator.
    pub mediator: Option<UserId>,
    /// The mediator of the ruling in force.
    pub ruling_mediator: Option<UserId>,
}

/// How the actor stands to one case. A staff member who is a party to a
/// case is only a party on it (a mediator who files a complaint has no
/// staff powers over it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    /// Background jobs.
    System,
    /// The complainant or the respondent.
    Party(Party),
    /// A mediator, lead or admin who is not a party.
    Staff {
        /// Their service-wide role.
        role: Role,
        /// The case is assigned to them.
        assigned: bool,
        /// They issued the ruling in force.
        ruled: bool,
    },
    /// A member with no part in the case.
    Outsider,
}

impl Standing {
    /// How `actor` stands to a case naming `people`.
    pub fn of(actor: &Actor, people: &Roles) -> Standing {
        let (Some(me), Some(role)) = (actor.user, actor.role) else {
            return Standing::System;
        };
        if people.complainant == Some(me) {
            return Standing::Party(Party::Complainant);
        }
        if people.respondent == Some(me) {
            return Standing::Party(Party::Respondent);
        }
        if role.is_staff() {
            return Standing::Staff {
                role,
                assigned: people.mediator == Some(me),
                ruled: people.ruling_mediator == Some(me),
            };
        }
        Standing::Outsider
    }

    /// The side the actor is on, if they are a party.
    pub fn party(&self) -> Option<Party> {
        match self {
            Standing::Party(p) => Some(*p),
            _ => None,
        }
    }

    /// A lead or an admin (not a party).
    pub fn is_supervisor(&self) -> bool {
        matches!(self, Standing::Staff { role, .. } if role.is_supervisor())
    }

    /// The mediator the case is assigned to (not a party).
    pub fn is_in_charge(&self) -> bool {
        matches!(self, Standing::Staff { assigned: true, .. })
    }

    /// The mediator who issued the ruling in force.
    pub fn ruled(&self) -> bool {
        matches!(self, Standing::Staff { ruled: true, .. })
    }

    /// Whether the actor may see the case at all, in the given state:
    /// parties and supervisors always; a mediator the cases assigned to
    /// them, those they ruled on, and those waiting in intake.
    pub fn can_view(&self, state: CaseState) -> bool {
        match self {
            Standing::System | Standing::Party(_) => true,
            Standing::Staff { role, .. } if role.is_supervisor() => true,
            Standing::Staff {
                assigned, ruled, ..
            } => *assigned || *ruled || state == CaseState::Intake,
            Standing::Outsider => false,
        }
    }

    /// Whether the actor may post messages on the case: the parties, and
    /// those who speak for the service on it (the assigned mediator, leads
    /// and admins). `Err` says why not.
    pub fn may_post(&self) -> Result<(), &'static str> {
        if self.party().is_some() || self.is_in_charge() || self.is_supervisor() {
            Ok(())
        } else {
            Err("only the parties, the assigned mediator, leads and admins may post on a case")
        }
    }
}
