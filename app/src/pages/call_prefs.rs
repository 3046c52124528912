//! Call preferences: `/profile/calls` for oneself, `/users/:id/calls` for administrators
//! (and anyone who may see the person, read-only). Also the agency's card that renames the
//! four custom fields, shown in the agency's settings.

use crate::{
    api::call_prefs::{
        AgencySettings, CallPreferencesView, SaveAgencySettings, SaveCallPreferences,
        get_call_preferences,
    },
    components::{AdminLayout, Alert, Field, on_success, use_session},
    domain::{
        UserId,
        call_prefs::{
            AdminFlags, AudioBitrate, CallPreferences, DAY_MINUTES, MAX_RANGES_PER_DAY,
            MissedCallEmail, SendCallsTo, TimeRange, Weekday, hhmm, parse_hhmm,
        },
    },
    error::AppError,
    pages::node::NodeSections,
};
use leptos::{ev::SubmitEvent, prelude::*};
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

/// `/profile/calls`: the signed-in person's own call preferences.
#[component]
pub fn MyCallPreferencesPage() -> impl IntoView {
    let session = use_session();
    // The layout has resolved the session before its children render: read it as it is
    // (no second Suspense here, so the page hydrates as `/users/:id/calls` does).
    let me = move || session.get().and_then(Result::ok).and_then(|s| s.viewer).map(|v| v.id);
    view! {
        <AdminLayout>
            {move || me().map(|id| view! { <CallPreferencesCard user_id=id own=true/> })}
        </AdminLayout>
    }
}

/// `/users/:id/calls`: a person's call preferences, as the caller may see or change them.
#[component]
pub fn UserCallPreferencesPage() -> impl IntoView {
    let params = use_params_map();
    let user_id = move || params.read().get("id").and_then(|s| s.parse::<UserId>().ok());
    view! {
        <AdminLayout>
            {move || match user_id() {
                Some(id) => view! { <CallPreferencesCard user_id=id own=false/> }.into_any(),
                None => view! {
                    <Title text="Call preferences · Roster"/>
                    <h1>"Call preferences"</h1>
                    <p class="alert alert-error" role="alert">"There is no such person."</p>
                }.into_any(),
            }}
        </AdminLayout>
    }
}

#[component]
fn CallPreferencesCard(user_id: UserId, own: bool) -> impl IntoView {
    // Bumped by "Reload" after a conflict: the form starts again from what is stored.
    let reload = RwSignal::new(0_u32);
    let data = Resource::new(move || reload.get(), move |_| get_call_preferences(user_id));
    view! {
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                let result = data.await;
                let name = result.as_ref().map(|v| v.name.clone()).unwrap_or_default();
                let heading = if own { "Call preferences".to_string() } else { format!("Call preferences: {name}") };
                view! {
                    <Title text=format!("{heading} · Roster")/>
                    <nav aria-label="Breadcrumb" class="breadcrumbs">
                        <ol>
                            {if own {
                                view! { <li><a href="/profile">"My profile"</a></li> }.into_any()
                            } else {
                                view! { <li><a href=format!("/users/{user_id}")>{name.clone()}</a></li> }.into_any()
                            }}
                            <li aria-current="page">"Call preferences"</li>
                        </ol>
                    </nav>
                    <h1>{heading}</h1>
                    {match result {
                        Ok(v) => view! { <CallPreferencesForm view=v own=own reload=reload/> }.into_any(),
                        Err(e) => view! { <p class="alert alert-error" role="alert">{e.to_string()}</p> }.into_any(),
                    }}
                }
            })}
        </Suspense>
    }
}

/// The message for `field` from the last failed save.
fn field_error(
    save: ServerAction<SaveCallPreferences>,
    field: impl Into<String>,
) -> Signal<Option<String>> {
    let field = field.into();
    Signal::derive(move || match save.value().get() {
        Some(Err(e)) => e.field_message(&field),
        _ => None,
    })
}

/// What a time input shows: `HH:MM`, with the end of the day as 00:00 in an end field.
fn time_value(minutes: u16, end: bool) -> String {
    match minutes {
        m if end && m == DAY_MINUTES => "00:00".into(),
        m if m >= DAY_MINUTES => String::new(),
        m => hhmm(m),
    }
}

/// What a time input holds, in minutes: 00:00 as an end is midnight at the end of the day;
/// a cleared input is out of range, so the server names the problem rather than keeping an
/// old time.
fn time_minutes(value: &str, end: bool) -> u16 {
    match parse_hhmm(value) {
        Some(0) if end => DAY_MINUTES,
        Some(m) => m,
        None => u16::MAX,
    }
}

/// A text input bound to one field of the draft, with its hint and error.
#[component]
fn TextField(
    id: String,
    #[prop(into)] label: String,
    #[prop(optional)] hint: &'static str,
    #[prop(default = "text")] kind: &'static str,
    #[prop(optional)] autocomplete: &'static str,
    #[prop(optional)] inputmode: &'static str,
    #[prop(into)] value: Signal<String>,
    on_input: Callback<String>,
    #[prop(into)] error: Signal<Option<String>>,
) -> impl IntoView {
    let error_id = format!("{id}-error");
    let hint_id = format!("{id}-hint");
    let described_by = {
        let (error_id, hint_id) = (error_id.clone(), hint_id.clone());
        move || {
            let mut ids = Vec::new();
            if !hint.is_empty() {
                ids.push(hint_id.clone());
            }
            if error.get().is_some() {
                ids.push(error_id.clone());
            }
            (!ids.is_empty()).then(|| ids.join(" "))
        }
    };
    view! {
        <div class="field" class:has-error=move || error.get().is_some()>
            <label for=id.clone()>{label}</label>
            <input
                id=id
                type=kind
                autocomplete=(!autocomplete.is_empty()).then_some(autocomplete)
                inputmode=(!inputmode.is_empty()).then_some(inputmode)
                value=value.get_untracked()
                prop:value=value
                on:input=move |ev| on_input.run(event_target_value(&ev))
                aria-invalid=move || error.get().is_some().then_some("true")
                aria-describedby=described_by
            />
            {(!hint.is_empty()).then(|| view! { <p class="hint" id=hint_id.clone()>{hint}</p> })}
            {move || error.get().map(|e| view! { <p class="field-error" id=error_id.clone()>{e}</p> })}
        </div>
    }
}

#[component]
fn CallPreferencesForm(
    view: CallPreferencesView,
    own: bool,
    reload: RwSignal<u32>,
) -> impl IntoView {
    let CallPreferencesView {
        user_id,
        prefs,
        version,
        can_edit,
        can_edit_admin_flags,
        custom_labels,
        time_zone,
        ..
    } = view;
    let draft = RwSignal::new(prefs);
    let version = RwSignal::new(version);
    // Bumped when the draft is replaced by what the server saved (tidied: numbers in E.164,
    // ranges in order): the time inputs, which are not bound both ways, are drawn again.
    let generation = RwSignal::new(0_u32);
    let save = ServerAction::<SaveCallPreferences>::new();
    Effect::new(move |_| {
        if let Some(Ok(saved)) = save.value().get() {
            draft.set(saved.prefs);
            version.set(saved.version);
            generation.update(|n| *n += 1);
        }
    });
    let failed = move || match save.value().get() {
        Some(Err(e)) => Some(e),
        _ => None,
    };
    let conflict = move || matches!(failed(), Some(AppError::Conflict { .. }));
    let alert = Signal::derive(move || {
        failed().filter(|e| !matches!(e, AppError::Conflict { .. })).map(|e| e.to_string())
    });
    let saved = move || matches!(save.value().get(), Some(Ok(_)));
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        save.dispatch(SaveCallPreferences {
            user_id,
            prefs: draft.get_untracked(),
            version: version.get_untracked(),
        });
    };
    let text = move |get: fn(&CallPreferences) -> &String| {
        Signal::derive(move || draft.with(|p| get(p).clone()))
    };
    let set = move |put: fn(&mut CallPreferences, String)| {
        Callback::new(move |v: String| draft.update(|p| put(p, v)))
    };
    let err = move |field: &str| field_error(save, field);
    let sends_to = Memo::new(move |_| draft.with(|p| p.send_calls_to));
    let phone_error = err("phone");
    let email_error = err("email");
    let flags_note = if can_edit_admin_flags {
        "Only administrators can change these."
    } else if own {
        "Only an administrator of the account that added you can change these."
    } else {
        "Only an administrator of the account that added this person can change these."
    };
    view! {
        <form class="form call-prefs" on:submit=on_submit novalidate>
            {(!can_edit).then(|| view! {
                <p class="muted" data-testid="call-prefs-read-only">
                    "Only this person and the administrators of the account that added them can change these preferences."
                </p>
            })}
            {move || conflict().then(|| view! {
                <div class="alert alert-error" role="alert">
                    "Someone else saved these preferences while you were editing them: nothing was saved. "
                    <button type="button" class="button button-small" on:click=move |_| reload.update(|n| *n += 1)>"Reload"</button>
                    " to see their changes, then make yours again."
                </div>
            })}
            <Alert message=alert/>
            <fieldset class="plain" disabled=!can_edit>
                <legend class="visually-hidden">"Call preferences"</legend>
                <section class="card" aria-labelledby="send-heading">
                    <h2 id="send-heading">"Where calls go"</h2>
                    <fieldset class="field radio-group">
                        <legend>"Send calls to"</legend>
                        {SendCallsTo::ALL.into_iter().map(|v| view! {
                            <label class="check">
                                <input type="radio" name="send_calls_to" value=v.key()
                                    checked=move || sends_to.get() == v
                                    prop:checked=move || sends_to.get() == v
                                    on:change=move |_| { draft.update(|p| p.send_calls_to = v) }/>
                                " "{v.label()}
                            </label>
                        }).collect_view()}
                    </fieldset>
                    <div hidden=move || sends_to.get() != SendCallsTo::Text && phone_error.get().is_none()>
                        <TextField id="phone".into() label="Mobile number for text messages (SMS)" kind="tel" autocomplete="tel" inputmode="tel"
                            hint="In international format, with + and the country code, like +1 202 555 0123."
                            value=text(|p| &p.phone) on_input=set(|p, v| p.phone = v) error=phone_error/>
                    </div>
                    <div hidden=move || sends_to.get() != SendCallsTo::Email && email_error.get().is_none()>
                        <TextField id="email".into() label="E-mail address for calls" kind="email" autocomplete="email"
                            value=text(|p| &p.email) on_input=set(|p, v| p.email = v) error=email_error/>
                    </div>
                    <div class="field">
                        <label for="missed_call_email">"E-mail me about missed calls"</label>
                        <select id="missed_call_email" on:change=move |ev| {
                            if let Some(v) = MissedCallEmail::from_key(&event_target_value(&ev)) {
                                draft.update(|p| p.missed_call_email = v);
                            }
                        }>
                            {MissedCallEmail::ALL.into_iter().map(|v| view! {
                                <option value=v.key() selected=move || draft.with(|p| p.missed_call_email == v)>{v.label()}</option>
                            }).collect_view()}
                        </select>
                    </div>
                </section>

                <section class="card" aria-labelledby="softphone-heading">
                    <h2 id="softphone-heading">"Softphone"</h2>
                    <label class="check">
                        <input type="checkbox" id="dial_app_first"
                            checked=move || draft.with(|p| p.dial_app_first)
                            prop:checked=move || draft.with(|p| p.dial_app_first)
                            on:change=move |ev| { draft.update(|p| p.dial_app_first = event_target_checked(&ev)) }/>
                        " Dial the app first"
                    </label>
                    <label class="check">
                        <input type="checkbox" id="call_waiting"
                            checked=move || draft.with(|p| p.call_waiting)
                            prop:checked=move || draft.with(|p| p.call_waiting)
                            on:change=move |ev| { draft.update(|p| p.call_waiting = event_target_checked(&ev)) }/>
                        " Call waiting"
                    </label>
                    <div class="field">
                        <label for="audio_bitrate">"Audio bitrate"</label>
                        <select id="audio_bitrate" on:change=move |ev| {
                            if let Ok(kbps) = event_target_value(&ev).parse() {
                                draft.update(|p| p.audio_bitrate = kbps);
                            }
                        }>
                            {AudioBitrate::ALL.into_iter().map(|b| view! {
                                <option value=b.kbps().to_string() selected=move || draft.with(|p| p.audio_bitrate == b.kbps())>{b.label()}</option>
                            }).collect_view()}
                        </select>
                    </div>
                </section>

                <section class="card" aria-labelledby="direct-heading">
                    <h2 id="direct-heading">"External direct dial and SIP"</h2>
                    <div class="field-row">
                        <TextField id="direct_dial_number".into() label="Receiving number" kind="tel" inputmode="tel"
                            hint="International format, like +1 202 555 0123."
                            value=text(|p| &p.direct_dial_number) on_input=set(|p, v| p.direct_dial_number = v) error=err("direct_dial_number")/>
                        <TextField id="direct_dial_extension".into() label="Extension" inputmode="numeric"
                            hint="Digits only, up to 10."
                            value=text(|p| &p.direct_dial_extension) on_input=set(|p, v| p.direct_dial_extension = v) error=err("direct_dial_extension")/>
                    </div>
                    <TextField id="sip_address".into() label="SIP address"
                        hint="Like sip:alex@pbx.example.com (or sips: for an encrypted connection)."
                        value=text(|p| &p.sip_address) on_input=set(|p, v| p.sip_address = v) error=err("sip_address")/>
                </section>

                <section class="card" aria-labelledby="schedule-heading">
                    <h2 id="schedule-heading">"Weekly availability"</h2>
                    <p class="hint">{format!("Times are in your time zone as set in the profile: {time_zone}. An end time of 00:00 means midnight at the end of the day.")}</p>
                    <div class="schedule">
                        {Weekday::ALL.into_iter().map(|d| view! { <ScheduleDay day=d draft=draft generation=generation save=save/> }).collect_view()}
                    </div>
                    <h3>"Text messages"</h3>
                    <p class="hint">"When texts may be sent, every day."</p>
                    {move || {
                        generation.track();
                        let w = draft.with_untracked(|p| p.text_window);
                        view! { <TextWindowFields start=w.start end=w.end draft=draft save=save/> }
                    }}
                </section>

                <section class="card" aria-labelledby="flags-heading">
                    <h2 id="flags-heading">"Set by administrators"</h2>
                    <p class="hint" id="admin-flags-hint">{flags_note}</p>
                    <fieldset class="plain" disabled=!can_edit_admin_flags aria-describedby="admin-flags-hint">
                        <legend class="visually-hidden">"Administrator settings"</legend>
                        {AdminFlags::LABELS.into_iter().map(|(field, label)| view! {
                            <label class="check">
                                <input type="checkbox" id=field
                                    checked=move || draft.with(|p| p.admin_flags.get(field))
                                    prop:checked=move || draft.with(|p| p.admin_flags.get(field))
                                    on:change=move |ev| {
                                        let on = event_target_checked(&ev);
                                        draft.update(|p| p.admin_flags.set(field, on));
                                    }/>
                                " "{label}
                            </label>
                        }).collect_view()}
                    </fieldset>
                </section>

                <section class="card" aria-labelledby="custom-heading">
                    <h2 id="custom-heading">"Custom fields"</h2>
                    <div class="field-row custom-fields">
                        {custom_labels.into_iter().enumerate().map(|(i, label)| {
                            let id = format!("custom_fields.{i}");
                            view! {
                                <TextField id=id.clone() label=label
                                    value=Signal::derive(move || draft.with(|p| p.custom_fields[i].clone()))
                                    on_input=Callback::new(move |v: String| draft.update(|p| p.custom_fields[i] = v))
                                    error=err(&id)/>
                            }
                        }).collect_view()}
                    </div>
                </section>
            </fieldset>
            {move || saved().then(|| view! { <p class="alert alert-ok" role="status">"Saved."</p> })}
            {can_edit.then(|| view! {
                <button type="submit" class="button button-primary" disabled=move || save.pending().get()>
                    {move || if save.pending().get() { "Saving…" } else { "Save call preferences" }}
                </button>
            })}
        </form>
    }
}

/// One weekday: available or not, and its time ranges.
#[component]
fn ScheduleDay(
    day: Weekday,
    draft: RwSignal<CallPreferences>,
    generation: RwSignal<u32>,
    save: ServerAction<SaveCallPreferences>,
) -> impl IntoView {
    let count = Memo::new(move |_| draft.with(|p| p.schedule.day(day).len()));
    let error = field_error(save, day.field());
    let error_id = format!("{}-error", day.field());
    let name = day.label();
    let toggle = move |on: bool| {
        draft.update(|p| {
            let ranges = p.schedule.day_mut(day);
            match on {
                true if ranges.is_empty() => ranges.push(TimeRange::new(9 * 60, 17 * 60)),
                false => ranges.clear(),
                true => {}
            }
        })
    };
    let described_by = {
        let error_id = error_id.clone();
        move || error.get().is_some().then(|| error_id.clone())
    };
    view! {
        <div class="schedule-day" class:has-error=move || error.get().is_some() data-testid=format!("schedule-{}", day.key())>
            <label class="check schedule-available">
                <input type="checkbox" id=format!("available-{}", day.key())
                    checked=move || { count.get() > 0 }
                    prop:checked=move || { count.get() > 0 }
                    on:change=move |ev| { toggle(event_target_checked(&ev)) }/>
                " "{name}
            </label>
            <div class="schedule-ranges">
                {move || {
                    generation.track();
                    (0..count.get()).map(|i| {
                        let (start, end) = draft.with_untracked(|p| {
                            p.schedule.day(day).get(i).map_or((0, 0), |r| (r.start, r.end))
                        });
                        let nth = if i == 0 { String::new() } else { format!(" ({})", i + 1) };
                        let set = move |end: bool, value: String| {
                            let m = time_minutes(&value, end);
                            draft.update(|p| {
                                if let Some(r) = p.schedule.day_mut(day).get_mut(i) {
                                    if end { r.end = m } else { r.start = m }
                                }
                            });
                        };
                        let described_by = described_by.clone();
                        view! {
                            <span class="schedule-range">
                                <input type="time" aria-label=format!("{name} from{nth}") value=time_value(start, false)
                                    aria-invalid=move || error.get().is_some().then_some("true") aria-describedby=described_by.clone()
                                    on:change=move |ev| { set(false, event_target_value(&ev)) }/>
                                <span aria-hidden="true">"–"</span>
                                <input type="time" aria-label=format!("{name} to{nth}") value=time_value(end, true)
                                    aria-invalid=move || error.get().is_some().then_some("true") aria-describedby=described_by
                                    on:change=move |ev| { set(true, event_target_value(&ev)) }/>
                                <button type="button" class="button button-small" aria-label=format!("Remove {name} hours{nth}")
                                    on:click=move |_| { draft.update(|p| {
                                        let ranges = p.schedule.day_mut(day);
                                        if i < ranges.len() { ranges.remove(i); }
                                    }) }>"Remove"</button>
                            </span>
                        }
                    }).collect_view()
                }}
                {move || (count.get() == 0).then(|| view! { <span class="muted">"Not available"</span> })}
                {move || (count.get() > 0 && count.get() < MAX_RANGES_PER_DAY).then(|| view! {
                    <button type="button" class="button button-small" aria-label=format!("Add hours on {name}")
                        on:click=move |_| { draft.update(|p| {
                            let ranges = p.schedule.day_mut(day);
                            let from = ranges.iter().map(|r| r.end).max().unwrap_or(9 * 60).min(DAY_MINUTES - 60);
                            ranges.push(TimeRange::new(from, (from + 60).min(DAY_MINUTES)));
                        }) }>"+ Add hours"</button>
                })}
            </div>
            {move || error.get().map(|e| view! { <p class="field-error" id=error_id.clone()>{e}</p> })}
        </div>
    }
}

/// From when until when texts may be sent.
#[component]
fn TextWindowFields(
    start: u16,
    end: u16,
    draft: RwSignal<CallPreferences>,
    save: ServerAction<SaveCallPreferences>,
) -> impl IntoView {
    let start_error = field_error(save, "text_window.start");
    let end_error = field_error(save, "text_window.end");
    view! {
        <div class="field-row">
            <div class="field" class:has-error=move || start_error.get().is_some()>
                <label for="text_window.start">"Texting allowed from"</label>
                <input type="time" id="text_window.start" value=time_value(start, false)
                    aria-invalid=move || start_error.get().is_some().then_some("true")
                    aria-describedby=move || start_error.get().is_some().then_some("text_window.start-error")
                    on:change=move |ev| {
                        let m = time_minutes(&event_target_value(&ev), false);
                        draft.update(|p| p.text_window.start = m);
                    }/>
                {move || start_error.get().map(|e| view! { <p class="field-error" id="text_window.start-error">{e}</p> })}
            </div>
            <div class="field" class:has-error=move || end_error.get().is_some()>
                <label for="text_window.end">"Until"</label>
                <input type="time" id="text_window.end" value=time_value(end, true)
                    aria-invalid=move || end_error.get().is_some().then_some("true")
                    aria-describedby=move || end_error.get().is_some().then_some("text_window.end-error")
                    on:change=move |ev| {
                        let m = time_minutes(&event_target_value(&ev), true);
                        draft.update(|p| p.text_window.end = m);
                    }/>
                {move || end_error.get().map(|e| view! { <p class="field-error" id="text_window.end-error">{e}</p> })}
            </div>
        </div>
    }
}

/// The agency's labels for the four custom user fields (agency settings).
#[component]
pub fn AgencyLabelsCard() -> impl IntoView {
    let save = ServerAction::<SaveAgencySettings>::new();
    // Fetched again after a save (new version), alone: nothing else on the page changed.
    // A failed save keeps what was typed.
    let NodeSections { labels: settings, labels_version: refresh, .. } = expect_context();
    on_success(move || save.value().get(), move || refresh.update(|n| *n += 1));
    let saved = move || matches!(save.value().get(), Some(Ok(_)));
    view! {
        <div class="agency-labels">
            <h3>"Custom user fields"</h3>
            <p class="hint">"Everyone's call preferences have four custom fields: name them here."</p>
            {move || saved().then(|| view! { <p class="alert alert-ok" role="status">"Labels saved."</p> })}
            <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match settings.await {
                        Ok(s) => view! { <LabelsForm settings=s save=save refresh=refresh/> }.into_any(),
                        Err(e) => view! { <p class="alert alert-error" role="alert">{e.to_string()}</p> }.into_any(),
                    }
                })}
            </Suspense>
        </div>
    }
}

const LABEL_FIELDS: [&str; 4] = [
    "custom_field_labels[0]",
    "custom_field_labels[1]",
    "custom_field_labels[2]",
    "custom_field_labels[3]",
];

#[component]
fn LabelsForm(
    settings: AgencySettings,
    save: ServerAction<SaveAgencySettings>,
    refresh: RwSignal<u32>,
) -> impl IntoView {
    let failed = move || match save.value().get() {
        Some(Err(e)) => Some(e),
        _ => None,
    };
    let field = move |name: &'static str| {
        Signal::derive(move || failed().and_then(|e| e.field_message(name)))
    };
    let alert = Signal::derive(move || {
        failed().filter(|e| !matches!(e, AppError::Validation { .. })).map(|e| e.to_string())
    });
    let conflict = move || matches!(failed(), Some(AppError::Conflict { .. }));
    const NAMES: [&str; 4] =
        ["Custom field 1", "Custom field 2", "Custom field 3", "Custom field 4"];
    view! {
        <ActionForm action=save attr:class="form labels-form" attr:novalidate=true>
            <Alert message=alert/>
            {move || conflict().then(|| view! {
                <button type="button" class="button button-small" on:click=move |_| refresh.update(|n| *n += 1)>"Reload"</button>
            })}
            <input type="hidden" name="agency_id" value=settings.agency_id.to_string()/>
            <input type="hidden" name="version" value=settings.version.to_string()/>
            {settings.custom_field_labels.iter().enumerate().map(|(i, label)| view! {
                <Field name=LABEL_FIELDS[i] label=NAMES[i] value=label.clone() required=true error=field(LABEL_FIELDS[i])/>
            }).collect_view()}
            {move || field("custom_field_labels").get().map(|m| view! { <p class="field-error">{m}</p> })}
            <button type="submit" class="button button-primary" disabled=move || save.pending().get()>
                {move || if save.pending().get() { "Saving…" } else { "Save labels" }}
            </button>
        </ActionForm>
    }
}
