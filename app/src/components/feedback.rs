//! Feedback for actions: a confirmation dialog before anything destructive, and toasts
//! after something completed.

use leptos::{html, prelude::*};

/// Opens and closes one [`ConfirmDialog`].
#[derive(Clone, Copy)]
pub struct Confirm {
    dialog: NodeRef<html::Dialog>,
    cancel: NodeRef<html::Button>,
}

impl Default for Confirm {
    fn default() -> Self {
        Self::new()
    }
}

impl Confirm {
    pub fn new() -> Self {
        Self { dialog: NodeRef::new(), cancel: NodeRef::new() }
    }

    /// Shows the dialog as a modal: the browser keeps focus inside it and closes it on
    /// Escape; the safe choice (Cancel) has the focus first.
    pub fn open(self) {
        if let Some(d) = self.dialog.get() {
            let _ = d.show_modal();
            if let Some(c) = self.cancel.get() {
                let _ = c.focus();
            }
        }
    }

    pub fn close(self) {
        if let Some(d) = self.dialog.get() {
            d.close();
        }
    }
}

/// A form whose submission asks for confirmation first. The form still posts without
/// JavaScript (no dialog then); with it, submitting opens the dialog and only "proceed"
/// submits for real.
#[derive(Clone, Copy)]
pub struct ConfirmedForm {
    pub form: NodeRef<html::Form>,
    pub confirm: Confirm,
    passed: StoredValue<bool>,
}

impl Default for ConfirmedForm {
    fn default() -> Self {
        Self::new()
    }
}

impl ConfirmedForm {
    pub fn new() -> Self {
        Self { form: NodeRef::new(), confirm: Confirm::new(), passed: StoredValue::new(false) }
    }

    /// The form's submit handler.
    pub fn on_submit(self, ev: leptos::ev::SubmitEvent) {
        if self.passed.get_value() {
            self.passed.set_value(false);
        } else {
            ev.prevent_default();
            self.confirm.open();
        }
    }

    /// Submits the form, confirmed (the dialog's action).
    pub fn proceed(self) {
        self.passed.set_value(true);
        if let Some(form) = self.form.get() {
            let _ = form.request_submit();
        }
    }
}

/// "Delete Ann Lee?" with what it does, Cancel and the action. Nothing happens until the
/// action button is pressed; focus returns to the page when it closes.
#[component]
pub fn ConfirmDialog(
    confirm: Confirm,
    /// A unique id prefix for the dialog's heading and text.
    #[prop(into)]
    id: String,
    #[prop(into)] title: Signal<String>,
    #[prop(into)] message: Signal<String>,
    /// The action button's label, e.g. "Delete".
    #[prop(into)]
    action: Signal<String>,
    /// Whether the action destroys or takes something away (a red button); giving a role
    /// to several people, say, does not.
    #[prop(into, default = Signal::stored(true))]
    destructive: Signal<bool>,
    on_confirm: impl Fn() + Send + Sync + 'static,
) -> impl IntoView {
    let (heading, text) = (format!("{id}-heading"), format!("{id}-text"));
    let action_class =
        move || if destructive.get() { "button button-danger" } else { "button button-primary" };
    let (labelled_by, described_by) = (heading.clone(), text.clone());
    view! {
        <dialog node_ref=confirm.dialog class="confirm-dialog" aria-labelledby=labelled_by aria-describedby=described_by>
            <h2 id=heading>{title}</h2>
            <p id=text>{message}</p>
            <div class="form-buttons">
                <button type="button" class="button" node_ref=confirm.cancel on:click=move |_| confirm.close()>"Cancel"</button>
                " "
                <button type="button" class=action_class on:click=move |_| {
                    confirm.close();
                    on_confirm();
                }>{action}</button>
            </div>
        </dialog>
    }
}

/// A button that asks first, in a [`ConfirmDialog`], and runs `on_confirm` only when the
/// action is chosen. Never inside a `<p>`: the browser's parser ends a paragraph at a
/// `<dialog>`, and the page would then not hydrate.
#[component]
pub fn ConfirmButton(
    /// Unique on the page: the dialog's id prefix.
    #[prop(into)]
    id: String,
    /// The button's text, e.g. "Remove…".
    label: &'static str,
    /// What the button does when its text alone is ambiguous, e.g. "Remove Ann Lee".
    #[prop(optional, into)]
    aria_label: Option<String>,
    #[prop(default = "button")] class: &'static str,
    #[prop(into, default = Signal::stored(false))] disabled: Signal<bool>,
    /// The question, e.g. "Remove Ann Lee from Closers?".
    #[prop(into)]
    title: String,
    /// What it does.
    #[prop(into)]
    message: String,
    /// The dialog's action button, e.g. "Remove".
    #[prop(into)]
    action: String,
    on_confirm: impl Fn() + Send + Sync + 'static,
) -> impl IntoView {
    let confirm = Confirm::new();
    view! {
        <button type="button" class=class aria-label=aria_label disabled=disabled
            on:click=move |_| confirm.open()>{label}</button>
        <ConfirmDialog confirm=confirm id=id title=title message=message action=action on_confirm=on_confirm/>
    }
}

/// The toasts of the page: short notes that disappear by themselves.
#[derive(Clone, Copy)]
pub struct Toasts(RwSignal<Vec<(u64, String)>>);

/// How long a toast stays.
const TOAST_MS: u64 = 5_000;

impl Toasts {
    /// Shows `message` for a few seconds, announced to screen readers.
    pub fn show(self, message: impl Into<String>) {
        let id = self.0.with_untracked(|t| t.last().map_or(0, |(id, _)| id + 1));
        self.0.update(|t| t.push((id, message.into())));
        set_timeout(
            move || self.0.update(|t| t.retain(|(i, _)| *i != id)),
            std::time::Duration::from_millis(TOAST_MS),
        );
    }
}

/// Provides the app's one set of toasts (at the root, so every page and the layout share it).
pub fn provide_toasts() {
    provide_context(Toasts(RwSignal::new(Vec::new())));
}

pub fn use_toasts() -> Toasts {
    expect_context::<Toasts>()
}

/// Where toasts appear: a polite live region, always in the page so announcements are
/// read out.
#[component]
pub fn ToastRegion() -> impl IntoView {
    let toasts = use_toasts();
    view! {
        <div class="toasts" role="status" aria-live="polite" data-testid="toasts">
            <For each=move || toasts.0.get() key=|(id, _)| *id let:toast>
                <p class="toast">{toast.1}</p>
            </For>
        </div>
    }
}
