//! The frame of the pages for people not signed in (sign in, first-run setup, accepting an
//! invitation, resetting a password), and the new-password fields two of them share.

use super::field::Field;
use leptos::prelude::*;

/// The page's one card, under the product's name.
#[component]
pub fn AuthCard(
    /// A wider card, for a longer form.
    #[prop(optional)]
    wide: bool,
    children: Children,
) -> impl IntoView {
    view! {
        <main id="main" class="auth-page">
            <div class="auth-card" class:auth-card-wide=wide>
                <p class="brand brand-large">"Roster"</p>
                {children()}
            </div>
        </main>
    }
}

/// Inside the form of a mailed link (an invitation, a password reset): the link's `token`,
/// the address (for password managers) and the new password with its error.
#[component]
pub fn NewPasswordFields(
    token: String,
    email: String,
    label: &'static str,
    #[prop(into)] error: Signal<Option<String>>,
) -> impl IntoView {
    view! {
        <input type="hidden" name="token" value=token/>
        <input type="text" name="username" autocomplete="username" value=email hidden/>
        <Field name="password" label=label kind="password" autocomplete="new-password"
            hint="At least 8 characters; common passwords are refused." required=true error=error/>
    }
}
