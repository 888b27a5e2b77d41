//! `start_investigation`: the assigned mediator begins (assigned → investigation).

super::note_action!(
    /// Start the investigation.
    StartInvestigation,
    StartInvestigation,
    InvestigationStarted,
);
