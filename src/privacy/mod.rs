//! Privacy: what Ombud holds about a person, handed over (exports). Sits
//! above the case service, accounts and mail: it reads through them, as
//! the person would, and adds nothing they could not see.

pub mod erase;
pub mod export;
pub mod retention;
