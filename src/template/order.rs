//! The order a form prints a project's indicators in: grouped by class, with the
//! template's unused classes as empty rows. The writer lays the rows out; the loss
//! report puts what the written form carries in the same order.

use crate::model::{Indicator, Project};

use super::IndicatorSpec;

/// One printed row of the indicator table: an indicator, or an unused class.
pub(crate) struct IndicatorRow<'a> {
    pub(crate) level1: Option<&'a str>,
    pub(crate) level2: Option<&'a str>,
    pub(crate) indicator: Option<&'a Indicator>,
    /// The indicator's place in the project's list.
    pub(crate) index: Option<usize>,
}

/// The order the form prints a project's indicators in (indices into its list):
/// grouped by class, as the merged class cells require.
pub(crate) fn printed_order(project: &Project, spec: &IndicatorSpec) -> Vec<usize> {
    indicator_rows(project, spec)
        .iter()
        .filter_map(|r| r.index)
        .collect()
}

/// Orders indicators by class (first appearance), adding the template's unused classes.
pub(crate) fn indicator_rows<'a>(
    project: &'a Project,
    spec: &'a IndicatorSpec,
) -> Vec<IndicatorRow<'a>> {
    let mut level1s: Vec<Option<&str>> = Vec::new();
    for ind in &project.indicators {
        if !level1s.contains(&ind.level1.as_deref()) {
            level1s.push(ind.level1.as_deref());
        }
    }
    let mut rows = Vec::new();
    for l1 in level1s {
        let members: Vec<(usize, &Indicator)> = project
            .indicators
            .iter()
            .enumerate()
            .filter(|(_, i)| i.level1.as_deref() == l1)
            .collect();
        let mut level2s: Vec<Option<&str>> = Vec::new();
        for (_, ind) in &members {
            if !level2s.contains(&ind.level2.as_deref()) {
                level2s.push(ind.level2.as_deref());
            }
        }
        if let Some(standard) = l1.and_then(|l| spec.classes.get(l)) {
            add_unused_classes(&mut level2s, standard);
        }
        for l2 in level2s {
            let in_class: Vec<&(usize, &Indicator)> = members
                .iter()
                .filter(|(_, i)| i.level2.as_deref() == l2)
                .collect();
            if in_class.is_empty() {
                rows.push(IndicatorRow {
                    level1: l1,
                    level2: l2,
                    indicator: None,
                    index: None,
                });
            }
            for (index, ind) in in_class {
                rows.push(IndicatorRow {
                    level1: l1,
                    level2: l2,
                    indicator: Some(ind),
                    index: Some(*index),
                });
            }
        }
    }
    rows
}

/// The form prints its unused classes as empty rows: each goes right after the class
/// that precedes it in the form's order (`standard`). Used classes keep their order.
fn add_unused_classes<'a>(level2s: &mut Vec<Option<&'a str>>, standard: &'a [String]) {
    for (i, class) in standard.iter().enumerate() {
        if level2s.contains(&Some(class.as_str())) {
            continue;
        }
        let after = standard[..i]
            .iter()
            .rev()
            .find_map(|prev| level2s.iter().position(|l| *l == Some(prev.as_str())));
        let at = after.map_or(0, |p| p + 1);
        level2s.insert(at, Some(class.as_str()));
    }
}
