//! Table definitions, shared by both backends. Identifiers are stored as
//! hyphenated UUID text and enums as snake_case text, the same on both.

diesel::table! {
    users (id) {
        id -> Text,
        email -> Text,
        name -> Text,
        role -> Text,
        language -> Text,
        password_hash -> Nullable<Text>,
        active -> Bool,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        muted -> Text,
        desk_mail -> Text,
        desk_digest_at -> Nullable<Timestamp>,
        erased_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    api_tokens (id) {
        id -> Text,
        user_id -> Text,
        name -> Text,
        kind -> Text,
        scopes -> Text,
        token_hash -> Text,
        created_by -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        last_used_at -> Nullable<Timestamp>,
        revoked_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    categories (id) {
        id -> Text,
        slug -> Text,
        name -> Text,
        description -> Text,
        default_priority -> Text,
        active -> Bool,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        auto_assign -> Bool,
        first_response_hours -> Nullable<Integer>,
    }
}

diesel::table! {
    cases (id) {
        id -> Text,
        reference -> Text,
        title -> Text,
        description -> Text,
        category_id -> Text,
        priority -> Text,
        language -> Text,
        channel -> Text,
        tags -> Text,
        state -> Text,
        complainant_id -> Text,
        respondent_id -> Nullable<Text>,
        respondent_name -> Text,
        respondent_email -> Nullable<Text>,
        assigned_mediator_id -> Nullable<Text>,
        ruling_mediator_id -> Nullable<Text>,
        info_party -> Nullable<Text>,
        info_deadline -> Nullable<Timestamp>,
        settlement_open -> Bool,
        settlement_terms -> Nullable<Text>,
        settlement_accepted_complainant -> Bool,
        settlement_accepted_respondent -> Bool,
        ruling_appealable -> Bool,
        appeal_deadline -> Nullable<Timestamp>,
        ruling_accepted_complainant -> Bool,
        ruling_accepted_respondent -> Bool,
        appealed_complainant -> Bool,
        appealed_respondent -> Bool,
        closed_at -> Nullable<Timestamp>,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        waiting_on -> Text,
        priority_rank -> SmallInt,
        due_at -> Timestamp,
        cited_rules -> Text,
        staff_tags -> Text,
        suggested_templates -> Text,
        group_lead_id -> Nullable<Text>,
        group_members -> Integer,
        first_response_due -> Nullable<Timestamp>,
        resolution_due -> Nullable<Timestamp>,
        first_response_at -> Nullable<Timestamp>,
        sla_policy_id -> Nullable<Text>,
        sla_calendar -> Nullable<Text>,
        sla_paused_since -> Nullable<Timestamp>,
        first_response_warn_at -> Nullable<Timestamp>,
        resolution_warn_at -> Nullable<Timestamp>,
        sla_fired -> Integer,
        sla_next_at -> Nullable<Timestamp>,
        sla_due -> Nullable<Timestamp>,
        sla_paused_seconds -> BigInt,
        assigned_at -> Nullable<Timestamp>,
        resolved_at -> Nullable<Timestamp>,
        first_response_seconds -> Nullable<BigInt>,
        resolution_seconds -> Nullable<BigInt>,
        handling_seconds -> Nullable<BigInt>,
        info_final -> Bool,
        sla_outcome -> SmallInt,
        complaint_redacted_at -> Nullable<Timestamp>,
        anonymised_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    service_policies (id) {
        id -> Text,
        scope -> Text,
        priority -> Text,
        category_id -> Nullable<Text>,
        first_response_minutes -> Integer,
        resolution_minutes -> Integer,
        hours -> Text,
        time_zone -> Text,
        holidays -> Text,
        warn_percent -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    case_links (case_id, linked_id) {
        case_id -> Text,
        linked_id -> Text,
        kind -> Text,
        note -> Text,
        created_by -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    rulings (id) {
        id -> Text,
        case_id -> Text,
        mediator_id -> Nullable<Text>,
        kind -> Text,
        outcome -> Text,
        rationale -> Text,
        rules_cited -> Text,
        sanctions -> Text,
        remedies -> Text,
        appealable -> Bool,
        created_at -> Timestamp,
        cited_rules -> Text,
    }
}

diesel::table! {
    appeals (id) {
        id -> Text,
        case_id -> Text,
        party -> Text,
        appellant_id -> Text,
        grounds -> Text,
        decision -> Nullable<Text>,
        decision_rationale -> Nullable<Text>,
        decided_by -> Nullable<Text>,
        decided_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    case_feedback (case_id, party) {
        case_id -> Text,
        party -> Text,
        user_id -> Text,
        rating -> Integer,
        comment -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    evidence (id) {
        id -> Text,
        case_id -> Text,
        uploaded_by -> Text,
        visibility -> Text,
        file_name -> Text,
        description -> Text,
        content_type -> Text,
        size -> BigInt,
        sha256 -> Text,
        created_at -> Timestamp,
        hidden_at -> Nullable<Timestamp>,
        hidden_by -> Nullable<Text>,
        hidden_reason -> Nullable<Text>,
        redacted_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    obligations (id) {
        id -> Text,
        case_id -> Text,
        ruling_id -> Text,
        part -> Text,
        position -> Integer,
        kind -> Text,
        description -> Text,
        duration_days -> Nullable<Integer>,
        due_at -> Timestamp,
        status -> Text,
        note -> Nullable<Text>,
        evidence_id -> Nullable<Text>,
        starts_at -> Nullable<Timestamp>,
        ends_at -> Nullable<Timestamp>,
        updated_by -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    messages (id) {
        id -> Text,
        case_id -> Text,
        author_id -> Text,
        visibility -> Text,
        body -> Text,
        created_at -> Timestamp,
        redacted_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    timeline_events (id) {
        id -> BigInt,
        case_id -> Text,
        actor_id -> Nullable<Text>,
        kind -> Text,
        visibility -> Text,
        data -> Text,
        created_at -> Timestamp,
        prev_hash -> Nullable<Text>,
        hash -> Nullable<Text>,
        data_digest -> Nullable<Text>,
        salt -> Nullable<Text>,
    }
}

diesel::table! {
    idempotency_keys (user_id, idem_key) {
        user_id -> Text,
        idem_key -> Text,
        fingerprint -> Text,
        status -> Integer,
        body -> Text,
        location -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    outbox (id) {
        id -> Text,
        case_id -> Nullable<Text>,
        event -> Text,
        template -> Text,
        essential -> Bool,
        recipient_user_id -> Nullable<Text>,
        recipient_email -> Text,
        recipient_name -> Text,
        language -> Text,
        subject -> Text,
        body_text -> Text,
        body_html -> Text,
        message_id -> Text,
        status -> Text,
        attempts -> Integer,
        next_attempt_at -> Timestamp,
        locked_until -> Nullable<Timestamp>,
        locked_by -> Nullable<Text>,
        last_error -> Nullable<Text>,
        created_at -> Timestamp,
        sent_at -> Nullable<Timestamp>,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    outbox_attempts (id) {
        id -> BigInt,
        outbox_id -> Text,
        worker -> Text,
        outcome -> Text,
        detail -> Text,
        attempted_at -> Timestamp,
    }
}

diesel::table! {
    mediator_profiles (user_id) {
        user_id -> Text,
        skills -> Text,
        languages -> Text,
        capacity -> Integer,
        on_duty -> Bool,
        absent_until -> Nullable<Timestamp>,
        last_assigned_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    mediator_conflicts (mediator_id, user_id) {
        mediator_id -> Text,
        user_id -> Text,
        reason -> Text,
        declared_by -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    triage_rules (id) {
        id -> Text,
        position -> Integer,
        name -> Text,
        enabled -> Bool,
        conditions -> Text,
        actions -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    case_tags (case_id, tag) {
        case_id -> Text,
        tag -> Text,
        internal -> Bool,
    }
}

diesel::table! {
    community_rules (code, version) {
        code -> Text,
        version -> Integer,
        title -> Text,
        body -> Text,
        published_by -> Text,
        published_at -> Timestamp,
    }
}

diesel::table! {
    response_templates (id) {
        id -> Text,
        code -> Text,
        name -> Text,
        bodies -> Text,
        fallback_language -> Nullable<Text>,
        categories -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::joinable!(api_tokens -> users (user_id));
diesel::table! {
    webhook_endpoints (id) {
        id -> Text,
        url -> Text,
        description -> Text,
        events -> Text,
        category_id -> Nullable<Text>,
        secret -> Text,
        status -> Text,
        disabled_reason -> Nullable<Text>,
        failures -> Integer,
        failing_since -> Nullable<Timestamp>,
        retry_at -> Nullable<Timestamp>,
        last_success_at -> Nullable<Timestamp>,
        created_by -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    webhook_deliveries (id) {
        id -> BigInt,
        endpoint_id -> Text,
        event_id -> Text,
        event_type -> Text,
        case_id -> Nullable<Text>,
        payload -> Text,
        status -> Text,
        attempts -> Integer,
        next_attempt_at -> Timestamp,
        first_failed_at -> Nullable<Timestamp>,
        locked_by -> Nullable<Text>,
        locked_until -> Nullable<Timestamp>,
        last_status -> Nullable<Integer>,
        last_error -> Nullable<Text>,
        created_at -> Timestamp,
        delivered_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    webhook_attempts (id) {
        id -> BigInt,
        delivery_id -> BigInt,
        worker -> Text,
        started_at -> Timestamp,
        duration_ms -> Integer,
        status_code -> Nullable<Integer>,
        error -> Nullable<Text>,
    }
}

diesel::table! {
    erasure_pending (case_id, user_id) {
        case_id -> Text,
        user_id -> Text,
    }
}

diesel::table! {
    throttle_secret (id) {
        id -> Integer,
        secret -> Text,
    }
}

diesel::table! {
    sign_in_throttle (key) {
        key -> Text,
        failures -> Integer,
        last_failed_at -> Timestamp,
        locked_until -> Nullable<Timestamp>,
    }
}

diesel::joinable!(webhook_deliveries -> webhook_endpoints (endpoint_id));
diesel::joinable!(webhook_attempts -> webhook_deliveries (delivery_id));

diesel::joinable!(cases -> categories (category_id));
diesel::joinable!(messages -> cases (case_id));
diesel::joinable!(evidence -> cases (case_id));
diesel::joinable!(timeline_events -> cases (case_id));
diesel::joinable!(rulings -> cases (case_id));
diesel::joinable!(appeals -> cases (case_id));
diesel::joinable!(obligations -> cases (case_id));
diesel::joinable!(mediator_profiles -> users (user_id));

diesel::allow_tables_to_appear_in_same_query!(
    erasure_pending,
    users,
    api_tokens,
    categories,
    cases,
    rulings,
    appeals,
    messages,
    evidence,
    case_feedback,
    case_links,
    service_policies,
    obligations,
    timeline_events,
    idempotency_keys,
    outbox,
    outbox_attempts,
    mediator_profiles,
    mediator_conflicts,
    triage_rules,
    case_tags,
    community_rules,
    response_templates,
    webhook_endpoints,
    webhook_deliveries,
    webhook_attempts,
);
