//! The account tree, following the WAI-ARIA navigation treeview pattern: links with
//! `role="treeitem"`, one tab stop (roving tabindex), arrows to move, Right/Left to expand or
//! collapse, Home/End, Enter to open. Without JavaScript it is a nested list of links.

use crate::domain::{NodeId, NodeSummary};
use leptos::{html, prelude::*};
use std::{
    collections::{HashMap, HashSet},
    sync::Arc,
};

/// Parent/child lookups over a flat list of nodes. Nodes whose parent is not in the list
/// are roots (the caller's reach may start below the agency).
struct TreeIndex {
    roots: Vec<NodeId>,
    children: HashMap<NodeId, Vec<NodeId>>,
    parent: HashMap<NodeId, NodeId>,
    nodes: HashMap<NodeId, NodeSummary>,
}

impl TreeIndex {
    fn new(list: Vec<NodeSummary>) -> Self {
        let ids: HashSet<NodeId> = list.iter().map(|n| n.id).collect();
        let mut roots = Vec::new();
        let mut children: HashMap<NodeId, Vec<NodeId>> = HashMap::new();
        let mut parent = HashMap::new();
        for n in &list {
            match n.parent_id.filter(|p| ids.contains(p)) {
                Some(p) => {
                    children.entry(p).or_default().push(n.id);
                    parent.insert(n.id, p);
                }
                None => roots.push(n.id),
            }
        }
        let nodes = list.into_iter().map(|n| (n.id, n)).collect();
        Self { roots, children, parent, nodes }
    }

    fn kids(&self, id: NodeId) -> &[NodeId] {
        self.children.get(&id).map(Vec::as_slice).unwrap_or_default()
    }

    /// The items a keyboard user can reach: roots, and children of expanded items.
    fn visible(&self, expanded: &HashSet<NodeId>) -> Vec<NodeId> {
        fn walk(t: &TreeIndex, id: NodeId, ex: &HashSet<NodeId>, out: &mut Vec<NodeId>) {
            out.push(id);
            if ex.contains(&id) {
                for &c in t.kids(id) {
                    walk(t, c, ex, out);
                }
            }
        }
        let mut out = Vec::new();
        for &r in &self.roots {
            walk(self, r, expanded, &mut out);
        }
        out
    }

    fn ancestors(&self, mut id: NodeId) -> Vec<NodeId> {
        let mut out = Vec::new();
        while let Some(&p) = self.parent.get(&id) {
            out.push(p);
            id = p;
        }
        out
    }
}

fn item_id(id: NodeId) -> String {
    format!("tree-item-{id}")
}

#[component]
pub fn AccountTree(
    nodes: Vec<NodeSummary>,
    /// The node being viewed: marked current, and its ancestors start expanded.
    #[prop(optional)]
    current: Option<NodeId>,
    #[prop(default = "Account tree")] label: &'static str,
) -> impl IntoView {
    let index = Arc::new(TreeIndex::new(nodes));
    let mut start: HashSet<NodeId> = index.roots.iter().copied().collect();
    if let Some(c) = current {
        start.extend(index.ancestors(c));
    }
    let expanded = RwSignal::new(start);
    let focused = RwSignal::new(current.or_else(|| index.roots.first().copied()));
    let tree_ref = NodeRef::<html::Ul>::new();

    let move_focus = move |id: NodeId| {
        focused.set(Some(id));
        // After the DOM reflects the new tabindex/expansion.
        request_animation_frame(move || {
            if let Some(el) = document().get_element_by_id(&item_id(id)) {
                use wasm_bindgen::JsCast;
                if let Ok(el) = el.dyn_into::<web_sys::HtmlElement>() {
                    let _ = el.focus();
                }
            }
        });
    };

    let on_keydown = {
        let index = index.clone();
        move |ev: leptos::ev::KeyboardEvent| {
            let Some(cur) = focused.get_untracked() else { return };
            let visible = expanded.with_untracked(|ex| index.visible(ex));
            let pos = visible.iter().position(|&v| v == cur).unwrap_or(0);
            let has_kids = !index.kids(cur).is_empty();
            let is_open = expanded.with_untracked(|ex| ex.contains(&cur));
            let target = match ev.key().as_str() {
                "ArrowDown" => visible.get(pos + 1).copied(),
                "ArrowUp" => pos.checked_sub(1).and_then(|p| visible.get(p).copied()),
                "Home" => visible.first().copied(),
                "End" => visible.last().copied(),
                "ArrowRight" if has_kids && !is_open => {
                    expanded.update(|ex| {
                        ex.insert(cur);
                    });
                    None
                }
                "ArrowRight" if has_kids => index.kids(cur).first().copied(),
                "ArrowLeft" if has_kids && is_open => {
                    expanded.update(|ex| {
                        ex.remove(&cur);
                    });
                    None
                }
                "ArrowLeft" => index.parent.get(&cur).copied(),
                _ => return,
            };
            ev.prevent_default();
            if let Some(t) = target {
                move_focus(t);
            }
        }
    };

    let roots = index.roots.clone();
    let count = roots.len();
    view! {
        <ul class="tree" role="tree" aria-label=label node_ref=tree_ref on:keydown=on_keydown>
            {roots
                .into_iter()
                .enumerate()
                .map(|(i, id)| tree_item(index.clone(), id, 1, i + 1, count, current, expanded, focused))
                .collect_view()}
        </ul>
    }
}

#[allow(clippy::too_many_arguments)]
fn tree_item(
    index: Arc<TreeIndex>,
    id: NodeId,
    level: usize,
    pos: usize,
    size: usize,
    current: Option<NodeId>,
    expanded: RwSignal<HashSet<NodeId>>,
    focused: RwSignal<Option<NodeId>>,
) -> AnyView {
    let node = index.nodes[&id].clone();
    let kids: Vec<NodeId> = index.kids(id).to_vec();
    let has_kids = !kids.is_empty();
    let is_open = move || expanded.with(|ex| ex.contains(&id));
    let toggle = move |_| {
        expanded.update(|ex| {
            if !ex.remove(&id) {
                ex.insert(id);
            }
        })
    };
    let count = kids.len();
    view! {
        <li role="none" class="tree-li">
            <div class="tree-row" class:current=current == Some(id)>
                {has_kids
                    .then(|| {
                        view! {
                            <span class="tree-toggle" aria-hidden="true" on:click=toggle>
                                {move || if is_open() { "▾" } else { "▸" }}
                            </span>
                        }
                    })}
                <a
                    id=item_id(id)
                    role="treeitem"
                    href=format!("/nodes/{id}")
                    {..leptos::tachys::html::attribute::custom::custom_attribute("aria-level", level)}
                    aria-posinset=pos
                    aria-setsize=size
                    aria-expanded=move || has_kids.then(|| if is_open() { "true" } else { "false" })
                    aria-current=(current == Some(id)).then_some("page")
                    tabindex=move || if focused.get() == Some(id) { "0" } else { "-1" }
                    on:focus=move |_| focused.set(Some(id))
                >
                    <span class="kind">{node.kind.label()}</span>
                    " "
                    {node.name.clone()}
                </a>
            </div>
            {has_kids
                .then(|| {
                    view! {
                        <ul role="group" class="tree-group" hidden=move || !is_open()>
                            {kids
                                .into_iter()
                                .enumerate()
                                .map(|(i, k)| {
                                    tree_item(index.clone(), k, level + 1, i + 1, count, current, expanded, focused)
                                })
                                .collect_view()}
                        </ul>
                    }
                })}
        </li>
    }
    .into_any()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::NodeKind;

    fn n(id: i64, parent: Option<i64>) -> NodeSummary {
        NodeSummary {
            id: NodeId(id),
            parent_id: parent.map(NodeId),
            name: format!("n{id}"),
            kind: NodeKind::Group,
        }
    }

    #[test]
    fn visible_order_follows_expansion() {
        let t = TreeIndex::new(vec![n(1, None), n(2, Some(1)), n(3, Some(2)), n(4, Some(1))]);
        let ids = |v: Vec<NodeId>| v.into_iter().map(|i| i.0).collect::<Vec<_>>();
        assert_eq!(ids(t.visible(&HashSet::new())), [1]);
        assert_eq!(ids(t.visible(&[NodeId(1)].into())), [1, 2, 4]);
        assert_eq!(ids(t.visible(&[NodeId(1), NodeId(2)].into())), [1, 2, 3, 4]);
        assert_eq!(ids(t.ancestors(NodeId(3))), [2, 1]);
    }

    #[test]
    fn nodes_whose_parent_is_out_of_reach_are_roots() {
        let t = TreeIndex::new(vec![n(5, Some(1)), n(6, Some(5)), n(7, Some(2))]);
        assert_eq!(t.roots, [NodeId(5), NodeId(7)]);
    }
}
