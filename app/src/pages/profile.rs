//! The profile card (name, username, time zone): on a person's page for administrators, and
//! as "My profile" for everyone. Read-only, with the reason, where the caller may not change it.

use crate::{
    api::profile::{Profile, UpdateProfile, get_profile, list_time_zones},
    components::{
        AdminLayout, AfterAction, Alert, Field, Refresh, answer_with_status, use_session,
    },
    domain::{UserId, picture::PictureProblem},
    error::AppError,
    pages::account::{ChangePasswordCard, SessionsCard},
};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_location, use_query_map};

/// `/profile`: the signed-in person's own profile.
#[component]
pub fn MyProfilePage() -> impl IntoView {
    let session = use_session();
    let me = move || session.get().and_then(Result::ok).and_then(|s| s.viewer).map(|v| v.id);
    view! {
        <Title text="My profile · Roster"/>
        <AdminLayout>
            <h1>"My profile"</h1>
            {move || me().map(|id| view! { <ProfileCard user_id=id/> })}
            <p class="profile-links"><a href="/profile/calls" data-testid="call-prefs-link">"Call preferences"</a></p>
            <ChangePasswordCard/>
            <SessionsCard/>
        </AdminLayout>
    }
}

/// The time zones for the profile form's picker. Made where the page is built, never
/// inside a `Suspense`'s content: content can be rendered more than once on the server,
/// and resources made there would not match the ones the browser hydrates.
pub fn time_zones() -> TimeZones {
    Resource::new(|| (), |_| list_time_zones())
}

pub type TimeZones = Resource<Result<Vec<String>, AppError>>;

/// Loads and shows the profile of `user_id`.
#[component]
pub fn ProfileCard(user_id: UserId) -> impl IntoView {
    let action = ServerAction::<UpdateProfile>::new();
    let zones = time_zones();
    // Reloaded after each save, so the form carries the new version.
    let refresh = Refresh::new();
    action.refresh_on_success(refresh);
    let profile = Resource::new(move || refresh.key(), move |_| get_profile(user_id));
    view! {
        <section class="card" aria-labelledby="profile-heading">
            <h2 id="profile-heading">"Profile"</h2>
            <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match profile.await {
                        Ok(p) => view! { <ProfileDetails profile=p action=action zones=zones/> }.into_any(),
                        Err(e) => {
                            answer_with_status(&e);
                            view! { <p class="alert alert-error" role="alert">{e.to_string()}</p> }.into_any()
                        }
                    }
                })}
            </Suspense>
        </section>
    }
}

/// A loaded profile: the picture, then the form where the caller may change it, or the
/// facts with the reason why not.
#[component]
pub fn ProfileDetails(
    profile: Profile,
    action: ServerAction<UpdateProfile>,
    zones: TimeZones,
) -> impl IntoView {
    let editable = profile.read_only_because.is_none();
    view! {
        <PictureBlock profile=profile.clone() editable=editable/>
        {if editable {
            view! { <ProfileForm profile=profile action=action zones=zones/> }.into_any()
        } else {
            view! { <ProfileFacts profile=profile/> }.into_any()
        }}
    }
}

/// The person's picture (or their initials), and where the caller may change it, the
/// forms to upload another or remove it. They are plain forms (a file upload posts as
/// multipart, with or without JavaScript); the server sends the browser back here with the
/// outcome in the address.
#[component]
fn PictureBlock(profile: Profile, editable: bool) -> impl IntoView {
    let query = use_query_map();
    let back = use_location().pathname.get_untracked();
    let problem = move || {
        query
            .read()
            .get("picture_error")
            .and_then(|k| PictureProblem::from_key(&k))
            .map(|p| p.message())
    };
    let done = move || match query.read().get("picture").as_deref() {
        Some("saved") => Some("Picture saved."),
        Some("removed") => Some("Picture removed."),
        _ => None,
    };
    let id = profile.user_id;
    let name = format!("{} {}", profile.first_name, profile.last_name);
    let initials: String =
        [&profile.first_name, &profile.last_name].iter().filter_map(|n| n.chars().next()).collect();
    let has_picture = profile.picture.is_some();
    view! {
        <div class="picture-block" id="picture">
            {match profile.picture.clone() {
                Some(src) => view! {
                    <img class="avatar avatar-large" src=src alt=format!("Picture of {name}") width="96" height="96" data-testid="profile-picture"/>
                }.into_any(),
                None => view! {
                    <span class="avatar avatar-large avatar-empty" aria-hidden="true" data-testid="profile-initials">{initials}</span>
                }.into_any(),
            }}
            {editable.then(|| view! {
                <div class="picture-forms">
                    <form class="form picture-form" method="post" enctype="multipart/form-data" action=format!("/users/{id}/picture")>
                        <input type="hidden" name="back" value=back.clone()/>
                        <div class="field" class:has-error=move || problem().is_some()>
                            <label for="picture-file">"Profile picture"</label>
                            <input id="picture-file" type="file" name="picture" accept="image/png,image/jpeg,image/webp" required
                                aria-invalid=move || problem().map(|_| "true")
                                aria-describedby=move || if problem().is_some() { "picture-error picture-hint" } else { "picture-hint" }/>
                            <p class="hint" id="picture-hint">"PNG, JPEG or WebP, at most 2 MiB. It is cropped to a square."</p>
                            {move || problem().map(|m| view! { <p class="field-error" id="picture-error">{m}</p> })}
                        </div>
                        {move || done().map(|m| view! { <p class="alert alert-ok" role="status">{m}</p> })}
                        <button type="submit" class="button">"Upload picture"</button>
                    </form>
                    {has_picture.then(|| view! {
                        <form class="inline-form" method="post" action=format!("/users/{id}/picture/remove")>
                            <input type="hidden" name="back" value=back.clone()/>
                            <button type="submit" class="button button-quiet">"Remove picture"</button>
                        </form>
                    })}
                </div>
            })}
        </div>
    }
}

#[component]
fn ProfileFacts(profile: Profile) -> impl IntoView {
    view! {
        <p class="muted" data-testid="profile-read-only">{profile.read_only_because.clone()}</p>
        <dl class="facts">
            <dt>"Name"</dt><dd>{format!("{} {}", profile.first_name, profile.last_name)}</dd>
            <dt>"Username"</dt><dd>{profile.username.clone()}</dd>
            <dt>"E-mail address"</dt><dd>{profile.email.clone()}</dd>
            <dt>"Time zone"</dt><dd>{profile.time_zone.clone()}</dd>
        </dl>
    }
}

/// The form's fields: their problems show beside them.
const FIELDS: [&str; 4] = ["first_name", "last_name", "username", "time_zone"];

#[component]
fn ProfileForm(
    profile: Profile,
    action: ServerAction<UpdateProfile>,
    zones: TimeZones,
) -> impl IntoView {
    let field = move |name: &'static str| action.field_error(name);
    let alert = action.error_beside(&FIELDS);
    let saved = move || matches!(action.value().get(), Some(Ok(_)));
    view! {
        <ActionForm action=action attr:class="form profile-form" attr:novalidate=true>
            <Alert message=alert/>
            {move || saved().then(|| view! { <p class="alert alert-ok" role="status">"Profile saved."</p> })}
            <input type="hidden" name="user_id" value=profile.user_id.to_string()/>
            <input type="hidden" name="version" value=profile.version.to_string()/>
            <p class="muted">{format!("E-mail address: {}", profile.email)}</p>
            <div class="field-row">
                <Field name="first_name" label="First name" autocomplete="given-name" required=true value=profile.first_name.clone() error=field("first_name")/>
                <Field name="last_name" label="Last name" autocomplete="family-name" required=true value=profile.last_name.clone() error=field("last_name")/>
            </div>
            <Field name="username" label="Username" autocomplete="username" required=true value=profile.username.clone()
                hint="3 to 40 letters, digits, dots, dashes or underscores." error=field("username")/>
            <Field name="time_zone" label="Time zone" required=true value=profile.time_zone.clone() list="time-zones"
                hint="Start typing a city or region, like New_York or Europe/." error=field("time_zone")/>
            <datalist id="time-zones">
                <Suspense>
                    {move || Suspend::new(async move {
                        zones.await.unwrap_or_default().into_iter()
                            .map(|z| view! { <option value=z/> })
                            .collect_view()
                    })}
                </Suspense>
            </datalist>
            <button type="submit" class="button button-primary" disabled=move || action.pending().get()>
                {move || if action.pending().get() { "Saving…" } else { "Save profile" }}
            </button>
        </ActionForm>
    }
}
