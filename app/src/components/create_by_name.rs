//! The one-field form that creates something by name at a node (a team, a call team, an
//! access-control group).

use super::{
    after_action::AfterAction, feedback::use_toasts, field::Field, form::Alert,
    refresh::use_refresh,
};
use crate::error::AppError;
use leptos::prelude::*;
use std::future::Future;

/// The name's problem shows at the field, anything else above the button; on success a
/// toast says `created`, the field empties and the page's data is fetched again.
#[component]
pub fn CreateByNameForm<T, Fut>(
    /// Unique on the page.
    id: &'static str,
    label: &'static str,
    button: &'static str,
    create: impl Fn(String) -> Fut + Send + Sync + 'static,
    /// The toast after a success.
    created: fn(&T) -> String,
) -> impl IntoView
where
    T: Clone + Send + Sync + 'static,
    Fut: Future<Output = Result<T, AppError>> + Send + 'static,
{
    let (toasts, refresh) = (use_toasts(), use_refresh());
    let name = RwSignal::new(String::new());
    let action = Action::new(move |name: &String| create(name.clone()));
    action.on_success(move |t| {
        toasts.show(created(t));
        name.set(String::new());
        refresh.bump();
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        action.dispatch(name.get_untracked());
    };
    view! {
        <form class="form form-inline create-by-name" on:submit=submit novalidate>
            <Field id=id label=label value=name error=action.field_error("name")/>
            <button type="submit" class="button button-primary" disabled=move || action.pending().get()>{button}</button>
            <Alert message=action.error_beside(&["name"])/>
        </form>
    }
}
