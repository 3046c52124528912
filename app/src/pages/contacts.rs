//! Contacts of a node (`/nodes/:id/contacts`): people who get called but never sign in.
//! Listed for those who view the account; added, edited and deleted by those who manage
//! call teams there.

use crate::{
    api::{
        contacts::{Contact, create_contact, delete_contact, list_contacts, update_contact},
        nodes::NodeDetail,
    },
    components::{
        AdminLayout, AfterAction, Alert, ConfirmButton, Field, NodeSection, use_refresh, use_toasts,
    },
    domain::{NodeId, Permission, call_prefs::SendCallsTo, phone::display_phone},
};
use leptos::prelude::*;

#[component]
pub fn ContactsPage() -> impl IntoView {
    // The contact being edited: outside the section, so a refetch does not close the form.
    let editing = RwSignal::new(None::<Contact>);
    view! {
        <AdminLayout>
            <NodeSection heading="Contacts" load=|d: NodeDetail| list_contacts(d.node.id)
                body=move |detail, contacts| view! {
                    <ContactsBody detail=detail contacts=contacts editing=editing/>
                }/>
        </AdminLayout>
    }
}

#[component]
fn ContactsBody(
    detail: NodeDetail,
    contacts: Vec<Contact>,
    editing: RwSignal<Option<Contact>>,
) -> impl IntoView {
    let node = detail.node.id;
    let can_manage = detail.can(Permission::ManageCallTeams);
    view! {
        <p class="muted">"People who get called but never sign in. Put them on "
            <a href=format!("/nodes/{node}/call-teams")>"call teams"</a>"."</p>
        <section class="card" aria-labelledby="contacts-heading">
            <h2 id="contacts-heading">"Contacts here"</h2>
            {if contacts.is_empty() {
                view! { <p class="empty">"No contacts here yet."</p> }.into_any()
            } else {
                view! {
                    <table class="table" data-testid="contacts">
                        <thead><tr>
                            <th scope="col">"Name"</th><th scope="col">"Phone"</th><th scope="col">"E-mail"</th>
                            <th scope="col">"Calls go by"</th>
                            {can_manage.then(|| view! { <th scope="col"><span class="sr-only">"Actions"</span></th> })}
                        </tr></thead>
                        <tbody>
                            {contacts.into_iter().map(|c| view! { <ContactRow contact=c node=node can_manage=can_manage editing=editing/> }).collect_view()}
                        </tbody>
                    </table>
                }.into_any()
            }}
        </section>
        {can_manage.then(|| view! { <ContactForm node=node editing=editing/> })}
    }
}

#[component]
fn ContactRow(
    contact: Contact,
    node: NodeId,
    can_manage: bool,
    editing: RwSignal<Option<Contact>>,
) -> impl IntoView {
    let (refresh, toasts) = (use_refresh(), use_toasts());
    let name = contact.name();
    let id = contact.id;
    let delete = Action::new(move |_: &()| delete_contact(node, id));
    let deleted_name = name.clone();
    delete.on_success(move |_| {
        toasts.show(format!("{deleted_name} was deleted."));
        refresh.bump();
    });
    delete.on_failure(move |e| toasts.show(e.to_string()));
    let edit = contact.clone();
    view! {
        <tr data-testid="contact-row">
            <td>{name.clone()}</td>
            <td>{contact.phone.as_deref().map(display_phone).unwrap_or_default()}</td>
            <td>{contact.email.clone().unwrap_or_default()}</td>
            <td>{contact.calls_by.label()}</td>
            {can_manage.then(|| view! {
                <td class="row-actions">
                    <button type="button" class="button button-small" aria-label=format!("Edit {name}")
                        on:click=move |_| editing.set(Some(edit.clone()))>"Edit"</button>
                    " "
                    <ConfirmButton id=format!("contact-{id}-delete") label="Delete…" aria_label=format!("Delete {name}")
                        class="button button-small button-danger" disabled=Signal::derive(move || delete.pending().get())
                        title=format!("Delete {name}?") message="They leave every call team they are on."
                        action="Delete" on_confirm=move || { delete.dispatch(()); }/>
                </td>
            })}
        </tr>
    }
}

/// The contact's fields as typed.
#[derive(Clone, Copy)]
struct Inputs {
    first: RwSignal<String>,
    last: RwSignal<String>,
    phone: RwSignal<String>,
    email: RwSignal<String>,
    calls_by: RwSignal<String>,
}

impl Inputs {
    fn new() -> Self {
        Self {
            first: RwSignal::new(String::new()),
            last: RwSignal::new(String::new()),
            phone: RwSignal::new(String::new()),
            email: RwSignal::new(String::new()),
            calls_by: RwSignal::new(String::new()),
        }
    }

    fn fill(self, c: Option<&Contact>) {
        self.first.set(c.map(|c| c.first_name.clone()).unwrap_or_default());
        self.last.set(c.map(|c| c.last_name.clone()).unwrap_or_default());
        self.phone.set(c.and_then(|c| c.phone.clone()).unwrap_or_default());
        self.email.set(c.and_then(|c| c.email.clone()).unwrap_or_default());
        self.calls_by.set(c.map(|c| c.calls_by.key().to_string()).unwrap_or_default());
    }
}

/// Adds a contact, or saves the one being edited.
#[component]
fn ContactForm(node: NodeId, editing: RwSignal<Option<Contact>>) -> impl IntoView {
    let (refresh, toasts) = (use_refresh(), use_toasts());
    let inputs = Inputs::new();
    // Editing another contact (or none) starts from its fields.
    Effect::new(move |_| inputs.fill(editing.get().as_ref()));
    let save = Action::new(move |target: &Option<(i64, i64)>| {
        let target = *target;
        let (first, last, phone, email, calls_by) = (
            inputs.first.get_untracked(),
            inputs.last.get_untracked(),
            inputs.phone.get_untracked(),
            inputs.email.get_untracked(),
            inputs.calls_by.get_untracked(),
        );
        async move {
            match target {
                Some((id, version)) => {
                    update_contact(node, id, first, last, phone, email, calls_by, version).await
                }
                None => create_contact(node, first, last, phone, email, calls_by).await,
            }
        }
    });
    save.on_success(move |c| {
        toasts.show(format!("{} was saved.", c.name()));
        editing.set(None);
        inputs.fill(None);
        refresh.bump();
    });
    let error = move |name: &'static str| save.field_error(name);
    let alert = save.error_beside(&["first_name", "last_name", "phone", "email", "send_calls_to"]);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        save.dispatch(editing.get_untracked().map(|c| (c.id, c.version)));
    };
    let calls_error = error("send_calls_to");
    view! {
        <section class="card contact-form" aria-labelledby="contact-form-heading">
            <h2 id="contact-form-heading">
                {move || match editing.get() {
                    Some(c) => format!("Edit {}", c.name()),
                    None => "Add a contact".to_string(),
                }}
            </h2>
            <form class="form" on:submit=submit novalidate>
                <Alert message=alert/>
                <div class="field-row">
                    <Field id="contact-first" label="First name" value=inputs.first error=error("first_name") autocomplete="off"/>
                    <Field id="contact-last" label="Last name" value=inputs.last error=error("last_name") autocomplete="off"/>
                </div>
                <div class="field-row">
                    <Field id="contact-phone" label="Phone" kind="tel" value=inputs.phone error=error("phone")
                        hint="With + and the country code, like +1 202 555 0100." autocomplete="off"/>
                    <Field id="contact-email" label="E-mail" kind="email" value=inputs.email error=error("email") autocomplete="off"/>
                </div>
                <fieldset class="field calls-by" class:has-error=move || calls_error.get().is_some()
                    aria-describedby=move || calls_error.get().map(|_| "contact-calls-error")>
                    <legend>"Calls go by"</legend>
                    {SendCallsTo::ALL.into_iter().map(|c| {
                        let (id, label_for) = (format!("contact-calls-{}", c.key()), format!("contact-calls-{}", c.key()));
                        view! {
                            <label class="check" for=label_for>
                                <input type="radio" id=id name="send_calls_to" value=c.key()
                                    prop:checked=move || inputs.calls_by.get() == c.key()
                                    on:change=move |_| inputs.calls_by.set(c.key().to_string())/>
                                " "{c.label()}
                            </label>
                        }
                    }).collect_view()}
                    {move || calls_error.get().map(|m| view! { <p class="field-error" id="contact-calls-error">{m}</p> })}
                </fieldset>
                <div class="form-buttons">
                    <button type="submit" class="button button-primary" disabled=move || save.pending().get()>
                        {move || if editing.get().is_some() { "Save contact" } else { "Add contact" }}
                    </button>
                    {move || editing.get().is_some().then(|| view! {
                        <button type="button" class="button" on:click=move |_| {
                            editing.set(None);
                            save.value().set(None);
                        }>"Cancel"</button>
                    })}
                </div>
            </form>
        </section>
    }
}
