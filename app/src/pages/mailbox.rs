//! The development mailbox: with no SMTP server configured, outgoing mail is kept and shown
//! here to Agency Administrators, so invitation links can be followed on a laptop.

use crate::{api::invitations::list_dev_mailbox, components::AdminLayout, pages::invite::utc};
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn MailboxPage() -> impl IntoView {
    view! {
        <Title text="Development mailbox · Roster"/>
        <AdminLayout>
            <Mailbox/>
        </AdminLayout>
    }
}

#[component]
fn Mailbox() -> impl IntoView {
    let mails = Resource::new(|| (), |_| list_dev_mailbox());
    view! {
        <h1>"Development mailbox"</h1>
        <p class="lead">"No SMTP server is configured, so mail is kept here instead of being sent."</p>
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match mails.await {
                    Ok(list) if list.is_empty() => view! { <p class="empty">"No mail yet."</p> }.into_any(),
                    Ok(list) => list.into_iter().map(|m| view! {
                        <article class="card mail" data-testid="mail">
                            <h2>{m.subject.clone()}</h2>
                            <p class="muted">{format!("To {} · {}", m.to, utc(m.created_at))}</p>
                            <pre class="mail-body">{m.body.clone()}</pre>
                        </article>
                    }).collect_view().into_any(),
                    Err(e) => view! { <p class="alert alert-error" role="alert">{e.to_string()}</p> }.into_any(),
                }
            })}
        </Suspense>
    }
}
