//! Call preferences: `/profile/calls` for oneself, `/users/:id/calls` for administrators
//! (and anyone who may see the person, read-only). Also the agency's card that renames the
//! four custom fields (`agency_labels`), shown in the agency's settings.
//!
//! The form edits a [`CallPreferencesForm`] (what people type) and the server parses it;
//! each problem it finds is shown once, beside its field, and the first such field takes
//! the focus. The alert above the form is for the rest (a conflict, a refusal).

use crate::{
    api::call_prefs::{CallPreferencesView, SaveCallPreferences, get_call_preferences},
    components::{self, AdminLayout, AfterAction, Alert, FieldValue, use_session},
    domain::{
        UserId,
        call_prefs::{
            AdminFlag, AudioBitrate, CallPreferencesForm, Field, MissedCallEmail, SendCallsTo,
            Weekday,
        },
    },
    error::AppError,
};
use leptos::{ev::SubmitEvent, html, prelude::*};
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;
use wasm_bindgen::JsCast;

mod agency_labels;
mod labels;
mod times;

pub use agency_labels::AgencyLabelsCard;
use times::{ScheduleDay, TextWindowFields};

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
                        Ok(v) => view! { <PreferencesForm view=v own=own reload=reload/> }.into_any(),
                        Err(e) => view! { <p class="alert alert-error" role="alert">{e.to_string()}</p> }.into_any(),
                    }}
                }
            })}
        </Suspense>
    }
}

/// Whether the error's messages belong beside form fields (and so nowhere else).
fn shown_at_fields(e: &AppError) -> bool {
    matches!(e, AppError::Validation { fields, .. } if !fields.is_empty())
}

/// The message for `field` from the last failed save.
fn field_error(save: ServerAction<SaveCallPreferences>, field: Field) -> Signal<Option<String>> {
    let name = field.name();
    Signal::derive(move || save.with_answer(|a| a?.as_ref().err()?.field_message(&name)))
}

/// After a save refused for its fields: the first field at fault takes the focus, so its
/// message (tied to it by `aria-describedby`) is read out where it is, and the eye goes
/// there too. Waits a frame, for the messages to be drawn.
fn focus_first_problem(form: NodeRef<html::Form>) {
    request_animation_frame(move || {
        let first = form
            .get_untracked()
            .and_then(|f| f.query_selector("[aria-invalid='true']").ok().flatten())
            .and_then(|el| el.dyn_into::<web_sys::HtmlElement>().ok());
        if let Some(el) = first {
            let _ = el.focus();
        }
    });
}

#[component]
fn PreferencesForm(view: CallPreferencesView, own: bool, reload: RwSignal<u32>) -> impl IntoView {
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
    let draft = RwSignal::new(CallPreferencesForm::from(&prefs));
    let version = RwSignal::new(version);
    // Bumped when the draft is replaced by what the server saved (tidied: numbers in E.164,
    // ranges in order): the time inputs, which are not bound both ways, are drawn again.
    let generation = RwSignal::new(0_u32);
    let save = ServerAction::<SaveCallPreferences>::new();
    let form_ref = NodeRef::<html::Form>::new();
    save.on_success(move |saved| {
        draft.set(CallPreferencesForm::from(&saved.prefs));
        version.set(saved.version);
        generation.update(|n| *n += 1);
    });
    save.on_failure(move |e| {
        if shown_at_fields(e) {
            focus_first_problem(form_ref);
        }
    });
    let failed = move || match save.value().get() {
        Some(Err(e)) => Some(e),
        _ => None,
    };
    let conflict = move || matches!(failed(), Some(AppError::Conflict { .. }));
    // Field problems are beside their fields only; a conflict has its own alert below.
    let alert = Signal::derive(move || {
        failed()
            .filter(|e| !shown_at_fields(e) && !matches!(e, AppError::Conflict { .. }))
            .map(|e| e.to_string())
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
    // A text field of the draft: read through `get`, written through `put`.
    let bound = move |get: fn(&CallPreferencesForm) -> &String,
                      put: fn(&mut CallPreferencesForm, String)| {
        FieldValue::bound(
            Signal::derive(move || draft.with(|p| get(p).clone())),
            Callback::new(move |v: String| draft.update(|p| put(p, v))),
        )
    };
    let err = move |field: Field| field_error(save, field);
    let sends_to = Memo::new(move |_| draft.with(|p| p.send_calls_to));
    let phone_error = err(Field::Phone);
    let email_error = err(Field::Email);
    let flags_note = if can_edit_admin_flags {
        "Only administrators can change these."
    } else if own {
        "Only an administrator of the account that added you can change these."
    } else {
        "Only an administrator of the account that added this person can change these."
    };
    view! {
        <form class="form call-prefs" on:submit=on_submit novalidate node_ref=form_ref>
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
                        <components::Field id=Field::Phone.name() label="Mobile number for text messages (SMS)" kind="tel" autocomplete="tel" inputmode="tel"
                            hint="In international format, with + and the country code, like +1 202 555 0123."
                            value=bound(|p| &p.phone, |p, v| p.phone = v) error=phone_error/>
                    </div>
                    <div hidden=move || sends_to.get() != SendCallsTo::Email && email_error.get().is_none()>
                        <components::Field id=Field::Email.name() label="E-mail address for calls" kind="email" autocomplete="email"
                            value=bound(|p| &p.email, |p, v| p.email = v) error=email_error/>
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
                    <BitrateField draft=draft error=err(Field::AudioBitrate)/>
                </section>

                <section class="card" aria-labelledby="direct-heading">
                    <h2 id="direct-heading">"External direct dial and SIP"</h2>
                    <div class="field-row">
                        <components::Field id=Field::DirectDialNumber.name() label="Receiving number" kind="tel" inputmode="tel"
                            hint="International format, like +1 202 555 0123."
                            value=bound(|p| &p.direct_dial_number, |p, v| p.direct_dial_number = v) error=err(Field::DirectDialNumber)/>
                        <components::Field id=Field::DirectDialExtension.name() label="Extension" inputmode="numeric"
                            hint="Digits only, up to 10."
                            value=bound(|p| &p.direct_dial_extension, |p, v| p.direct_dial_extension = v) error=err(Field::DirectDialExtension)/>
                    </div>
                    <components::Field id=Field::SipAddress.name() label="SIP address"
                        hint="Like sip:alex@pbx.example.com (or sips: for an encrypted connection)."
                        value=bound(|p| &p.sip_address, |p, v| p.sip_address = v) error=err(Field::SipAddress)/>
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
                        {AdminFlag::ALL.into_iter().map(|flag| view! {
                            <label class="check">
                                <input type="checkbox" id=flag.key()
                                    checked=move || draft.with(|p| p.admin_flags.get(flag))
                                    prop:checked=move || draft.with(|p| p.admin_flags.get(flag))
                                    on:change=move |ev| {
                                        let on = event_target_checked(&ev);
                                        draft.update(|p| p.admin_flags.set(flag, on));
                                    }/>
                                " "{flag.label()}
                            </label>
                        }).collect_view()}
                    </fieldset>
                </section>

                <section class="card" aria-labelledby="custom-heading">
                    <h2 id="custom-heading">"Custom fields"</h2>
                    <div class="field-row custom-fields">
                        {custom_labels.into_iter().enumerate().map(|(i, label)| view! {
                            <components::Field id=Field::CustomField(i).name() label=label
                                value=FieldValue::bound(
                                    Signal::derive(move || draft.with(|p| p.custom_fields[i].clone())),
                                    Callback::new(move |v: String| draft.update(|p| p.custom_fields[i] = v)),
                                )
                                error=err(Field::CustomField(i))/>
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

/// The softphone's bitrate, from the fixed list, with its error (a value off the list is
/// refused at this field).
#[component]
fn BitrateField(
    draft: RwSignal<CallPreferencesForm>,
    #[prop(into)] error: Signal<Option<String>>,
) -> impl IntoView {
    let id = Field::AudioBitrate.name();
    let error_id = format!("{id}-error");
    let described_by = {
        let error_id = error_id.clone();
        move || error.get().is_some().then(|| error_id.clone())
    };
    view! {
        <div class="field" class:has-error=move || error.get().is_some()>
            <label for=id.clone()>"Audio bitrate"</label>
            <select id=id
                aria-invalid=move || error.get().is_some().then_some("true")
                aria-describedby=described_by
                on:change=move |ev| {
                    if let Ok(kbps) = event_target_value(&ev).parse() {
                        draft.update(|p| p.audio_bitrate = kbps);
                    }
                }>
                {AudioBitrate::ALL.into_iter().map(|b| view! {
                    <option value=b.kbps().to_string() selected=move || draft.with(|p| p.audio_bitrate == b.kbps())>{b.label()}</option>
                }).collect_view()}
            </select>
            {move || error.get().map(|e| view! { <p class="field-error" id=error_id.clone()>{e}</p> })}
        </div>
    }
}
