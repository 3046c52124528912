//! The form's times: a weekday's ranges, and the daily window for texts. Time inputs are
//! not bound both ways (the browser's own editing of a time input must not be overwritten
//! mid-typing); they are drawn again when `generation` moves, after a save answers.

use super::field_error;
use crate::{
    api::call_prefs::SaveCallPreferences,
    domain::call_prefs::{
        CallPreferencesForm, DAY_MINUTES, Field, MAX_RANGES_PER_DAY, TimeRange, Weekday, hhmm,
        parse_hhmm,
    },
};
use leptos::prelude::*;

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

/// One weekday: available or not, and its time ranges.
#[component]
pub fn ScheduleDay(
    day: Weekday,
    draft: RwSignal<CallPreferencesForm>,
    generation: RwSignal<u32>,
    save: ServerAction<SaveCallPreferences>,
) -> impl IntoView {
    let at = day.index();
    let count = Memo::new(move |_| draft.with(|p| p.schedule[at].len()));
    let field = Field::Schedule(day).name();
    let error = field_error(save, Field::Schedule(day));
    let error_id = format!("{field}-error");
    let name = day.label();
    let toggle = move |on: bool| {
        draft.update(|p| {
            let ranges = &mut p.schedule[at];
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
                            p.schedule[at].get(i).map_or((0, 0), |r| (r.start, r.end))
                        });
                        let nth = if i == 0 { String::new() } else { format!(" ({})", i + 1) };
                        let set = move |end: bool, value: String| {
                            let m = time_minutes(&value, end);
                            draft.update(|p| {
                                if let Some(r) = p.schedule[at].get_mut(i) {
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
                                        let ranges = &mut p.schedule[at];
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
                            let ranges = &mut p.schedule[at];
                            let from = ranges.iter().map(|r| r.end).max().unwrap_or(9 * 60).min(DAY_MINUTES - 60);
                            ranges.push(TimeRange::new(from, (from + 60).min(DAY_MINUTES)));
                        }) }>"+ Add hours"</button>
                })}
            </div>
            {move || error.get().map(|e| view! { <p class="field-error" id=error_id.clone()>{e}</p> })}
        </div>
    }
}

/// One end of the text window: a time input, its label and its error.
#[component]
fn WindowEnd(
    field: Field,
    label: &'static str,
    minutes: u16,
    draft: RwSignal<CallPreferencesForm>,
    save: ServerAction<SaveCallPreferences>,
) -> impl IntoView {
    let end = field == Field::TextWindowEnd;
    let id = field.name();
    let error_id = format!("{id}-error");
    let error = field_error(save, field);
    let described_by = {
        let error_id = error_id.clone();
        move || error.get().is_some().then(|| error_id.clone())
    };
    view! {
        <div class="field" class:has-error=move || error.get().is_some()>
            <label for=id.clone()>{label}</label>
            <input type="time" id=id value=time_value(minutes, end)
                aria-invalid=move || error.get().is_some().then_some("true")
                aria-describedby=described_by
                on:change=move |ev| {
                    let m = time_minutes(&event_target_value(&ev), end);
                    draft.update(|p| if end { p.text_window.end = m } else { p.text_window.start = m });
                }/>
            {move || error.get().map(|e| view! { <p class="field-error" id=error_id.clone()>{e}</p> })}
        </div>
    }
}

/// From when until when texts may be sent.
#[component]
pub fn TextWindowFields(
    start: u16,
    end: u16,
    draft: RwSignal<CallPreferencesForm>,
    save: ServerAction<SaveCallPreferences>,
) -> impl IntoView {
    view! {
        <div class="field-row">
            <WindowEnd field=Field::TextWindowStart label="Texting allowed from" minutes=start draft=draft save=save/>
            <WindowEnd field=Field::TextWindowEnd label="Until" minutes=end draft=draft save=save/>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn midnight_ends_the_day_in_an_end_field() {
        assert_eq!(time_value(1440, true), "00:00");
        assert_eq!(time_value(1440, false), "");
        assert_eq!(time_value(545, false), "09:05");
        assert_eq!(time_minutes("00:00", true), 1440);
        assert_eq!(time_minutes("00:00", false), 0);
        assert_eq!(time_minutes("", false), u16::MAX, "a cleared input is refused, not kept");
    }
}
