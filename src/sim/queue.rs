//! The future-event list: a 4-ary heap (the `dary_heap` crate; shallower than a binary heap, so
//! fewer cache misses on large models) keyed by `(time, sequence number)`.
//!
//! The sequence number is assigned when an event is scheduled, so events due at the same
//! millisecond are delivered first-in-first-out — in the order they were scheduled. This makes a
//! run deterministic and independent of heap internals.

use crate::time::SimTime;
use dary_heap::QuaternaryHeap;
use std::cmp::Ordering;

/// Heap entry. `key` packs (time, seq) into one integer so that ordering is a single compare:
/// time in the high 64 bits (offset so that negative times order correctly), seq in the low.
struct Entry<E> {
    key: u128,
    ev: E,
}

#[inline]
fn key(time: SimTime, seq: u64) -> u128 {
    (((time.0 as u64) ^ (1 << 63)) as u128) << 64 | seq as u128
}

impl<E> PartialEq for Entry<E> {
    fn eq(&self, o: &Self) -> bool {
        self.key == o.key
    }
}
impl<E> Eq for Entry<E> {}
impl<E> PartialOrd for Entry<E> {
    fn partial_cmp(&self, o: &Self) -> Option<Ordering> {
        Some(self.cmp(o))
    }
}
impl<E> Ord for Entry<E> {
    /// Reversed, so that the max-heap pops the earliest (time, seq) first.
    #[inline]
    fn cmp(&self, o: &Self) -> Ordering {
        o.key.cmp(&self.key)
    }
}

/// Future-event list with FIFO tie-breaking.
pub struct EventQueue<E> {
    heap: QuaternaryHeap<Entry<E>>,
    seq: u64,
}

impl<E> Default for EventQueue<E> {
    fn default() -> Self {
        Self::new()
    }
}

impl<E> EventQueue<E> {
    /// Empty queue.
    pub fn new() -> Self {
        EventQueue {
            heap: QuaternaryHeap::with_capacity(1024),
            seq: 0,
        }
    }
    /// Schedule `ev` at `time`.
    #[inline]
    pub fn push(&mut self, time: SimTime, ev: E) {
        self.seq += 1;
        self.heap.push(Entry {
            key: key(time, self.seq),
            ev,
        });
    }
    /// Remove and return the earliest event.
    #[inline]
    pub fn pop(&mut self) -> Option<(SimTime, E)> {
        self.heap
            .pop()
            .map(|e| (SimTime((((e.key >> 64) as u64) ^ (1 << 63)) as i64), e.ev))
    }
    /// Time of the earliest event.
    pub fn peek_time(&self) -> Option<SimTime> {
        self.heap
            .peek()
            .map(|e| SimTime((((e.key >> 64) as u64) ^ (1 << 63)) as i64))
    }
    /// Number of pending events.
    pub fn len(&self) -> usize {
        self.heap.len()
    }
    /// No pending events?
    pub fn is_empty(&self) -> bool {
        self.heap.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ties_are_first_in_first_out() {
        let mut q = EventQueue::new();
        q.push(SimTime(10), 'a');
        q.push(SimTime(5), 'b');
        q.push(SimTime(10), 'c');
        q.push(SimTime(5), 'd');
        q.push(SimTime(10), 'e');
        q.push(SimTime(-3), 'n');
        assert_eq!(q.peek_time(), Some(SimTime(-3)));
        let order: Vec<(i64, char)> =
            std::iter::from_fn(|| q.pop().map(|x| (x.0.0, x.1))).collect();
        assert_eq!(
            order,
            vec![
                (-3, 'n'),
                (5, 'b'),
                (5, 'd'),
                (10, 'a'),
                (10, 'c'),
                (10, 'e')
            ]
        );
    }
}
