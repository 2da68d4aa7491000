//! The future-event list: a 4-ary heap (the `dary_heap` crate; shallower than a binary heap, so
//! fewer cache misses on large models) keyed by `(time, sequence number)`.
//!
//! The sequence number is assigned when an event is scheduled, so events due at the same
//! millisecond are delivered first-in-first-out — in the order they were scheduled. This makes a
//! run deterministic and independent of heap internals.

use crate::base::time::SimTime;
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

#[inline]
fn time_of(key: u128) -> SimTime {
    SimTime((((key >> 64) as u64) ^ (1 << 63)) as i64)
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
///
/// Events scheduled for the current instant (zero delay: a drive of 0 min, a constant 0) skip
/// the heap and go to a FIFO list. This keeps the (time, seq) order exactly: every heap entry
/// due now was scheduled before the clock reached now, so it has a smaller sequence number than
/// anything in the list, and is delivered first.
pub struct EventQueue<E> {
    heap: QuaternaryHeap<Entry<E>>,
    now_list: std::collections::VecDeque<E>,
    now: SimTime,
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
            now_list: std::collections::VecDeque::with_capacity(64),
            now: SimTime::ZERO,
            seq: 0,
        }
    }
    /// Schedule `ev` at `time` (never before the last event delivered).
    #[inline]
    pub fn push(&mut self, time: SimTime, ev: E) {
        debug_assert!(time >= self.now, "scheduling into the past");
        self.seq += 1;
        if time == self.now {
            self.now_list.push_back(ev);
        } else {
            self.heap.push(Entry {
                key: key(time, self.seq),
                ev,
            });
        }
    }
    /// Remove and return the earliest event.
    #[inline]
    pub fn pop(&mut self) -> Option<(SimTime, E)> {
        let heap_now = self.heap.peek().is_some_and(|e| time_of(e.key) == self.now);
        if !heap_now && let Some(ev) = self.now_list.pop_front() {
            return Some((self.now, ev));
        }
        let e = self.heap.pop()?;
        self.now = time_of(e.key);
        Some((self.now, e.ev))
    }
    /// Time of the earliest event.
    #[inline]
    pub fn peek_time(&self) -> Option<SimTime> {
        if !self.now_list.is_empty() {
            return Some(self.now);
        }
        self.heap.peek().map(|e| time_of(e.key))
    }
    /// No pending events?
    #[cfg(test)]
    pub fn is_empty(&self) -> bool {
        self.heap.is_empty() && self.now_list.is_empty()
    }
    /// Tell the queue the clock moved to `t` (events from another source were handled), so that
    /// events scheduled at `t` take the zero-delay path.
    #[inline]
    pub fn advance(&mut self, t: SimTime) {
        debug_assert!(self.now_list.is_empty() || t == self.now);
        if self.now_list.is_empty() {
            self.now = t;
        }
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
        assert_eq!(q.peek_time(), Some(SimTime(5)));
        let order: Vec<(i64, char)> =
            std::iter::from_fn(|| q.pop().map(|x| (x.0.0, x.1))).collect();
        assert_eq!(
            order,
            vec![(5, 'b'), (5, 'd'), (10, 'a'), (10, 'c'), (10, 'e')]
        );
    }

    #[test]
    fn zero_delay_events_keep_the_global_fifo_order() {
        // At t = 10: heap entries a, b (scheduled earlier) must come before x, y scheduled at 10.
        let mut q = EventQueue::new();
        q.push(SimTime(10), 'a');
        q.push(SimTime(10), 'b');
        q.push(SimTime(20), 'z');
        assert_eq!(q.pop(), Some((SimTime(10), 'a')));
        q.push(SimTime(10), 'x'); // zero delay
        assert_eq!(q.peek_time(), Some(SimTime(10)));
        assert_eq!(q.pop(), Some((SimTime(10), 'b')));
        q.push(SimTime(10), 'y');
        q.push(SimTime(15), 'w');
        let rest: Vec<(i64, char)> = std::iter::from_fn(|| q.pop().map(|x| (x.0.0, x.1))).collect();
        assert_eq!(rest, vec![(10, 'x'), (10, 'y'), (15, 'w'), (20, 'z')]);
        assert!(q.is_empty());
    }
}
