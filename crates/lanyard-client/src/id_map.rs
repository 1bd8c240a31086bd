//! A map from request ids to values: a deque sorted by id.
//!
//! Ids are handed out in increasing order, so an insert is a push at the back; lookups are binary searches;
//! requests mostly finish in the order they started, so removals are mostly near the front, where a deque
//! removes cheaply. One small generic type instead of a `BTreeMap` and a `HashMap` instantiated for each value
//! type keeps the client's share of an app's wasm down.

use std::collections::VecDeque;

use crate::coordinator::RequestId;

#[derive(Debug)]
pub(crate) struct IdMap<V> {
    entries: VecDeque<(RequestId, V)>,
}

impl<V> Default for IdMap<V> {
    fn default() -> Self {
        IdMap {
            entries: VecDeque::new(),
        }
    }
}

impl<V> IdMap<V> {
    fn position(&self, id: RequestId) -> Result<usize, usize> {
        self.entries.binary_search_by_key(&id, |(key, _)| *key)
    }

    pub(crate) fn len(&self) -> usize {
        self.entries.len()
    }

    /// Inserts or replaces; an id older than the newest goes to its sorted place.
    pub(crate) fn insert(&mut self, id: RequestId, value: V) {
        if self.entries.back().is_none_or(|(last, _)| *last < id) {
            self.entries.push_back((id, value));
            return;
        }
        match self.position(id) {
            Ok(at) => self.entries[at].1 = value,
            Err(at) => self.entries.insert(at, (id, value)),
        }
    }

    pub(crate) fn get(&self, id: RequestId) -> Option<&V> {
        let at = self.position(id).ok()?;
        self.entries.get(at).map(|(_, value)| value)
    }

    pub(crate) fn get_mut(&mut self, id: RequestId) -> Option<&mut V> {
        let at = self.position(id).ok()?;
        self.entries.get_mut(at).map(|(_, value)| value)
    }

    pub(crate) fn remove(&mut self, id: RequestId) -> Option<V> {
        let at = self.position(id).ok()?;
        self.entries.remove(at).map(|(_, value)| value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    /// Against a BTreeMap, over a fixed pseudo-random sequence of operations, ids mostly increasing.
    #[test]
    fn behaves_like_a_btree_map() {
        let mut map = IdMap::default();
        let mut model = BTreeMap::new();
        let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next_id = 0;
        for step in 0..5_000u64 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let id = match seed % 10 {
                0 => seed % (next_id + 1), // an old or current id
                _ => {
                    next_id += 1;
                    next_id
                }
            };
            match (seed >> 8) % 3 {
                0 | 1 => {
                    map.insert(id, step);
                    model.insert(id, step);
                }
                _ => assert_eq!(map.remove(id), model.remove(&id), "remove {id}"),
            }
            let probe = seed % (next_id + 2);
            assert_eq!(map.get(probe), model.get(&probe), "get {probe}");
            if let (Some(a), Some(b)) = (map.get_mut(probe), model.get_mut(&probe)) {
                *a += 1;
                *b += 1;
            }
            assert_eq!(map.len(), model.len());
        }
        let order: Vec<u64> = map.entries.iter().map(|(id, _)| *id).collect();
        assert!(
            order.windows(2).all(|w| w[0] < w[1]),
            "sorted, no duplicates"
        );
    }
}
