//! Credentials and personal data in request parameters: what [`scan`] finds,
//! and the copy [`mask`] makes for the record.
//!
//! Every string in the parameters is read, object keys included, at any depth,
//! and so is every large number (a card number sent as a JSON number is still
//! a card number). The kinds are [`DataKind`]s: seven credentials and three
//! kinds of personal data.
//!
//! Invariants:
//! - [`scan`] reads the input in time linear in its size, walks the JSON
//!   iteratively, so no nesting exhausts the stack, and allocates nothing
//!   for parameters nested up to four levels (one stack on the heap for
//!   deeper ones, which validation bounds at
//!   [`MAX_PARAMETER_DEPTH`](super::request::MAX_PARAMETER_DEPTH));
//! - [`mask`] reports exactly what [`scan`] reports, and its copy holds no
//!   detected secret: every occurrence of every detected substring, wherever
//!   it is in the copy (the value it was found in, another value, a key, the
//!   text of a number), is replaced; and scanning the copy finds nothing
//!   (the copy is re-scanned to make sure, see [`MASKING_ROUNDS`]);
//! - a mask contains nothing of its secret but, at most, a fixed marker from
//!   this file (`AKIA`, `ghp_`, `xoxb-`, `eyJ` …), then `…[kind]`:
//!   `AKIA…[aws_access_key]`, `…[email]`. Text around a secret is kept.
//!
//! False positives are kept down the way gitleaks, detect-secrets and
//! Presidio keep theirs down; each detector names its sources. In order of
//! cost: a one-pass keyword prefilter decides which detectors can match at all
//! (`AKIA`, `eyJ`, `@`, a run of 13 digits for a card …), so text with none of
//! them costs one read; fixed shapes between word boundaries; structure and
//! checksums (Luhn and issuer ranges for cards, a JWT header that decodes to
//! JSON naming its algorithm); entropy floors for token bodies; allowlists of
//! documented examples and placeholders. Phone numbers are recognised
//! conservatively: `+` international forms and a few national shapes with
//! separators, never a bare run of digits.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Number, Value};
use std::borrow::Cow;
use std::cmp::Reverse;
use std::fmt;

/// A kind of sensitive data.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DataKind {
    /// An AWS access key id (`AKIA…`, `ASIA…`): one half of a key pair.
    AwsAccessKey,
    /// An AWS secret access key: 40 characters of base64 alphabet, recognised
    /// only where a key or the text before it names it, since on its own it
    /// is indistinguishable from any other base64.
    AwsSecretKey,
    /// A GitHub personal, OAuth, app or refresh token.
    GithubToken,
    /// A Slack API token or incoming-webhook URL.
    SlackToken,
    /// A PEM, OpenSSH or PGP private key block.
    PrivateKey,
    /// A JSON Web Token.
    Jwt,
    /// An opaque token after `Bearer`, as in an `Authorization` header.
    BearerToken,
    PaymentCard,
    Email,
    Phone,
}

crate::governance::decode::deserialize_by!(DataKind, DataKind::decode);

impl DataKind {
    /// Reads the name this is written as (snake case).
    pub fn decode(value: serde_json::Value) -> crate::governance::decode::Decoded<DataKind> {
        crate::governance::decode::one_of(
            value,
            &[
                ("aws_access_key", DataKind::AwsAccessKey),
                ("aws_secret_key", DataKind::AwsSecretKey),
                ("github_token", DataKind::GithubToken),
                ("slack_token", DataKind::SlackToken),
                ("private_key", DataKind::PrivateKey),
                ("jwt", DataKind::Jwt),
                ("bearer_token", DataKind::BearerToken),
                ("payment_card", DataKind::PaymentCard),
                ("email", DataKind::Email),
                ("phone", DataKind::Phone),
            ],
        )
    }
}

impl DataKind {
    /// Every kind, in the order [`DataKinds`] lists them.
    pub const ALL: [DataKind; 10] = [
        DataKind::AwsAccessKey,
        DataKind::AwsSecretKey,
        DataKind::GithubToken,
        DataKind::SlackToken,
        DataKind::PrivateKey,
        DataKind::Jwt,
        DataKind::BearerToken,
        DataKind::PaymentCard,
        DataKind::Email,
        DataKind::Phone,
    ];

    /// The stable name, as serialised and as written in masks.
    pub fn as_str(self) -> &'static str {
        match self {
            DataKind::AwsAccessKey => "aws_access_key",
            DataKind::AwsSecretKey => "aws_secret_key",
            DataKind::GithubToken => "github_token",
            DataKind::SlackToken => "slack_token",
            DataKind::PrivateKey => "private_key",
            DataKind::Jwt => "jwt",
            DataKind::BearerToken => "bearer_token",
            DataKind::PaymentCard => "payment_card",
            DataKind::Email => "email",
            DataKind::Phone => "phone",
        }
    }

    /// What a person reads.
    pub fn label(self) -> &'static str {
        match self {
            DataKind::AwsAccessKey => "AWS access key",
            DataKind::AwsSecretKey => "AWS secret key",
            DataKind::GithubToken => "GitHub token",
            DataKind::SlackToken => "Slack token",
            DataKind::PrivateKey => "private key",
            DataKind::Jwt => "JSON Web Token",
            DataKind::BearerToken => "bearer token",
            DataKind::PaymentCard => "payment card number",
            DataKind::Email => "email address",
            DataKind::Phone => "phone number",
        }
    }

    /// A credential grants access; the other kinds are personal data.
    pub fn is_credential(self) -> bool {
        !matches!(
            self,
            DataKind::PaymentCard | DataKind::Email | DataKind::Phone
        )
    }

    const fn bit(self) -> u16 {
        1 << self as u16
    }
}

/// A set of [`DataKind`]s: `Copy`, allocation-free, listed in the order of
/// [`DataKind::ALL`]. Serialised as a list of names.
#[derive(Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(from = "Vec<DataKind>", into = "Vec<DataKind>")]
pub struct DataKinds(u16);

impl DataKinds {
    pub const EMPTY: DataKinds = DataKinds(0);

    pub fn contains(self, kind: DataKind) -> bool {
        self.0 & kind.bit() != 0
    }

    pub fn insert(&mut self, kind: DataKind) {
        self.0 |= kind.bit();
    }

    pub fn union(self, other: DataKinds) -> DataKinds {
        DataKinds(self.0 | other.0)
    }

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    pub fn len(self) -> usize {
        self.0.count_ones() as usize
    }

    pub fn iter(self) -> Iter {
        Iter(self.0)
    }
}

impl fmt::Debug for DataKinds {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.iter()).finish()
    }
}

impl FromIterator<DataKind> for DataKinds {
    fn from_iter<I: IntoIterator<Item = DataKind>>(kinds: I) -> DataKinds {
        let mut set = DataKinds::EMPTY;
        kinds.into_iter().for_each(|kind| set.insert(kind));
        set
    }
}

impl IntoIterator for DataKinds {
    type Item = DataKind;
    type IntoIter = Iter;

    fn into_iter(self) -> Iter {
        self.iter()
    }
}

impl From<Vec<DataKind>> for DataKinds {
    fn from(kinds: Vec<DataKind>) -> DataKinds {
        kinds.into_iter().collect()
    }
}

impl From<DataKinds> for Vec<DataKind> {
    fn from(kinds: DataKinds) -> Vec<DataKind> {
        kinds.iter().collect()
    }
}

/// The kinds in a [`DataKinds`], in the order of [`DataKind::ALL`].
#[derive(Clone, Debug)]
pub struct Iter(u16);

impl Iterator for Iter {
    type Item = DataKind;

    fn next(&mut self) -> Option<DataKind> {
        if self.0 == 0 {
            return None;
        }
        let index = self.0.trailing_zeros() as usize;
        self.0 &= self.0 - 1;
        DataKind::ALL.get(index).copied()
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let left = self.0.count_ones() as usize;
        (left, Some(left))
    }
}

impl ExactSizeIterator for Iter {}

/// The kinds of sensitive data anywhere in `parameters`, each once; empty,
/// and nothing allocated, when there are none. On the hot path call this
/// first and [`mask`] only when it finds something.
pub fn scan(parameters: &Map<String, Value>) -> DataKinds {
    let mut kinds = DataKinds::EMPTY;
    walk(parameters, &mut |text, context| {
        detect(text, context, &mut |hit: Hit| kinds.insert(hit.kind))
    });
    kinds
}

/// A copy of `parameters` for the record, with every detected secret replaced
/// inside its string by a mask (see the module's invariants), and the kinds
/// found, which are those [`scan`] reports. A number that holds a secret
/// becomes the masked string; a masked key that collides with another key is
/// suffixed ` (2)`, ` (3)` … so that no value is lost.
pub fn mask(parameters: &Map<String, Value>) -> (Map<String, Value>, DataKinds) {
    mask_in_rounds(parameters, MASKING_ROUNDS)
}

/// Masking is repeated until the copy scans clean, at most this many more
/// times, then strings still holding a secret are replaced whole. A mask can
/// change what its neighbours see, though the detectors treat a mask as the
/// secret it replaced wherever they can (text after it is joined to it, a
/// token or number running into it is cut short), and the same secret may be
/// masked where it was not recognised: in the property tests one round in a
/// few thousand adversarial inputs needs a second pass, none a third.
const MASKING_ROUNDS: usize = 2;

fn mask_in_rounds(
    parameters: &Map<String, Value>,
    rounds: usize,
) -> (Map<String, Value>, DataKinds) {
    let (kinds, secrets) = secrets_in(parameters);
    let mut masked = copy_with(parameters, &|text, _| mask_known(text, &secrets));
    if secrets.is_empty() {
        return (masked, kinds);
    }
    for _ in 0..rounds {
        let (_, more) = secrets_in(&masked);
        if more.is_empty() {
            return (masked, kinds);
        }
        masked = copy_with(&masked, &|text, _| mask_known(text, &more));
    }
    // Out of rounds: a string still holding a secret is replaced whole.
    (copy_with(&masked, &mask_whole), kinds)
}

/// The kinds of sensitive data in one string.
pub fn scan_text(text: &str) -> DataKinds {
    let mut kinds = DataKinds::EMPTY;
    detect(text, Context::default(), &mut |hit: Hit| {
        kinds.insert(hit.kind)
    });
    kinds
}

/// `text` with every detected secret masked, or `None` when there is none.
pub fn mask_text(text: &str) -> Option<String> {
    mask_text_in_rounds(text, MASKING_ROUNDS)
}

fn mask_text_in_rounds(text: &str, rounds: usize) -> Option<String> {
    let secrets = secrets_in_text(text, Context::default());
    if secrets.is_empty() {
        return None;
    }
    let mut masked = mask_known(text, &secrets).into_owned();
    for _ in 0..rounds {
        let more = secrets_in_text(&masked, Context::default());
        if more.is_empty() {
            return Some(masked);
        }
        masked = mask_known(&masked, &more).into_owned();
    }
    Some(mask_whole(&masked, Context::default()).into_owned())
}

// ---------------------------------------------------------------------------
// Walking the parameters

/// What the keys above a value, or the text before a position on its line,
/// say about it: whether they mention AWS, and after that a secret. Only an
/// AWS secret key needs it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Context {
    aws: bool,
    secret: bool,
}

/// The words detect-secrets' AWS detector accepts after `aws` (`key`, `pwd`,
/// `pw`, `password`, `pass`, `token`; prefixes cover the longer ones) and
/// `secret`.
const SECRET_WORDS: [&[u8]; 5] = [b"key", b"pw", b"pass", b"token", b"secret"];

impl Context {
    /// Takes in the word starting at `i`, if it is one that counts.
    fn note(&mut self, bytes: &[u8], i: usize) {
        let first = bytes[i].to_ascii_lowercase();
        if !self.aws {
            self.aws = first == b'a' && starts_with_ci(bytes, i, b"aws");
        } else if !self.secret && matches!(first, b'k' | b'p' | b't' | b's') {
            self.secret = SECRET_WORDS.iter().any(|w| starts_with_ci(bytes, i, w));
        }
    }

    /// The context for what is under the key `key`. Masks in the key do not
    /// count (their labels say `aws_access_key`), so masking never adds
    /// context.
    fn under(mut self, key: &str) -> Context {
        let bytes = key.as_bytes();
        let mut i = 0;
        while i < bytes.len() && !self.secret {
            match mask_len_at(bytes, i) {
                Some(len) => i += len,
                None => {
                    self.note(bytes, i);
                    i += 1;
                }
            }
        }
        self
    }
}

/// Calls `on_text` with every key and string value in `parameters`, and the
/// text of every number large enough to hold a card number, with each one's
/// context.
fn walk(parameters: &Map<String, Value>, on_text: &mut dyn FnMut(&str, Context)) {
    let mut frames = Frames::default();
    frames.push(Frame::Object(parameters.iter(), Context::default()));
    while let Some(frame) = frames.top() {
        let (value, context) = match frame {
            Frame::Object(entries, parent) => match entries.next() {
                Some((key, value)) => {
                    on_text(key, *parent);
                    (value, parent.under(key))
                }
                None => {
                    frames.pop();
                    continue;
                }
            },
            Frame::Array(items, context) => match items.next() {
                Some(value) => (value, *context),
                None => {
                    frames.pop();
                    continue;
                }
            },
        };
        match value {
            Value::String(text) => on_text(text, context),
            Value::Number(number) if number.as_f64().is_some_and(|n| n.abs() >= 1e12) => {
                let mut buffer = [0; NUMBER_TEXT_LEN];
                if let Some(text) = number_text(number, &mut buffer) {
                    on_text(text, Context::default());
                }
            }
            Value::Object(entries) => frames.push(Frame::Object(entries.iter(), context)),
            Value::Array(items) => frames.push(Frame::Array(items.iter(), context)),
            Value::Number(_) | Value::Bool(_) | Value::Null => {}
        }
    }
}

/// A container being walked, and the context of what is in it.
enum Frame<'a> {
    Object(serde_json::map::Iter<'a>, Context),
    Array(std::slice::Iter<'a, Value>, Context),
}

/// Frames kept in place: parameters nested deeper than this (rare) put the
/// rest on the heap. Small, because the whole array is set up and dropped on
/// every walk: at the full depth that cost more than walking
/// a typical request's parameters.
const INLINE_FRAMES: usize = 4;

/// The walk's stack: the first [`INLINE_FRAMES`] frames in place, so walking
/// shallow parameters allocates nothing, deeper ones on the heap.
struct Frames<'a> {
    inline: [Option<Frame<'a>>; INLINE_FRAMES],
    depth: usize,
    deeper: Vec<Frame<'a>>,
}

impl Default for Frames<'_> {
    fn default() -> Self {
        Frames {
            inline: [const { None }; INLINE_FRAMES],
            depth: 0,
            deeper: Vec::new(),
        }
    }
}

impl<'a> Frames<'a> {
    fn push(&mut self, frame: Frame<'a>) {
        match self.inline.get_mut(self.depth) {
            Some(slot) => {
                *slot = Some(frame);
                self.depth += 1;
            }
            None => self.deeper.push(frame),
        }
    }

    fn top(&mut self) -> Option<&mut Frame<'a>> {
        if self.deeper.is_empty() {
            let top = self.depth.checked_sub(1)?;
            self.inline.get_mut(top)?.as_mut()
        } else {
            self.deeper.last_mut()
        }
    }

    fn pop(&mut self) {
        if self.deeper.pop().is_none() && self.depth > 0 {
            self.depth -= 1;
            self.inline[self.depth] = None;
        }
    }
}

/// Room for any number as serde_json writes it (at most 24 characters).
const NUMBER_TEXT_LEN: usize = 32;

/// `number` as serde_json writes it, written on the stack.
fn number_text<'b>(number: &Number, buffer: &'b mut [u8; NUMBER_TEXT_LEN]) -> Option<&'b str> {
    let mut unwritten: &mut [u8] = &mut buffer[..];
    serde_json::to_writer(&mut unwritten, number).ok()?;
    let written = NUMBER_TEXT_LEN - unwritten.len();
    std::str::from_utf8(buffer.get(..written)?).ok()
}

// ---------------------------------------------------------------------------
// Masking

/// A detected secret, as found, with how to mask it.
struct Secret {
    text: String,
    kind: DataKind,
    marker: &'static str,
}

/// The kinds found in `parameters`, and each distinct secret once.
fn secrets_in(parameters: &Map<String, Value>) -> (DataKinds, Vec<Secret>) {
    let mut kinds = DataKinds::EMPTY;
    let mut secrets = Vec::new();
    walk(parameters, &mut |text, context| {
        detect(text, context, &mut |hit: Hit| {
            kinds.insert(hit.kind);
            remember(&mut secrets, text, hit);
        })
    });
    (kinds, secrets)
}

fn secrets_in_text(text: &str, context: Context) -> Vec<Secret> {
    let mut secrets = Vec::new();
    detect(text, context, &mut |hit: Hit| {
        remember(&mut secrets, text, hit)
    });
    secrets
}

fn remember(secrets: &mut Vec<Secret>, text: &str, hit: Hit) {
    let Some(found) = text.get(hit.start..hit.end) else {
        return;
    };
    if !secrets.iter().any(|secret| secret.text == found) {
        secrets.push(Secret {
            text: found.to_owned(),
            kind: hit.kind,
            marker: hit.marker,
        });
    }
}

/// `text` replaced by the mask of the first secret in it, if any: the last
/// resort of [`mask_in_rounds`].
fn mask_whole(text: &str, context: Context) -> Cow<'_, str> {
    match secrets_in_text(text, context).first() {
        Some(secret) => Cow::Owned(format!("…[{}]", secret.kind.as_str())),
        None => Cow::Borrowed(text),
    }
}

/// `text` with every occurrence of every secret masked. At each point the
/// earliest occurrence is masked, the longest of those starting there, so
/// every occurrence ends up inside a mask or overlapping one: none survives
/// whole, including repeats in places where the detector would not have
/// recognised it (`x4111…` after a card number `4111…` elsewhere).
fn mask_known<'t>(text: &'t str, secrets: &[Secret]) -> Cow<'t, str> {
    if !secrets.iter().any(|s| text.contains(s.text.as_str())) {
        return Cow::Borrowed(text);
    }
    let mut next: Vec<Option<usize>> = secrets.iter().map(|s| text.find(s.text.as_str())).collect();
    let mut masked = String::with_capacity(text.len());
    let mut at = 0;
    loop {
        for (found, secret) in next.iter_mut().zip(secrets) {
            if found.is_some_and(|start| start < at) {
                *found = text
                    .get(at..)
                    .and_then(|rest| rest.find(secret.text.as_str()));
                *found = found.map(|start| start + at);
            }
        }
        let earliest = next
            .iter()
            .zip(secrets)
            .filter_map(|(found, secret)| found.map(|start| (start, secret)))
            .min_by_key(|&(start, secret)| (start, Reverse(secret.text.len())));
        let Some((start, secret)) = earliest else {
            break;
        };
        masked.push_str(text.get(at..start).unwrap_or_default());
        push_mask(&mut masked, secret);
        at = start + secret.text.len();
    }
    masked.push_str(text.get(at..).unwrap_or_default());
    Cow::Owned(masked)
}

fn push_mask(masked: &mut String, secret: &Secret) {
    masked.push_str(secret.marker);
    masked.push_str("…[");
    masked.push_str(secret.kind.as_str());
    masked.push(']');
}

/// The length of a mask (`…[label]`) starting at `i`, if one does.
fn mask_len_at(bytes: &[u8], i: usize) -> Option<usize> {
    if bytes.get(i) != Some(&0xE2) {
        return None;
    }
    let rest = bytes.get(i..)?.strip_prefix("…[".as_bytes())?;
    let label = rest
        .iter()
        .take(24)
        .take_while(|b| b.is_ascii_lowercase() || **b == b'_')
        .count();
    (label > 0 && rest.get(label) == Some(&b']')).then_some("…[".len() + label + 1)
}

/// How a copy masks a string (a key, a value or a number's text), given
/// its context.
type MaskFn<'f> = dyn Fn(&str, Context) -> Cow<'_, str> + 'f;

/// A copy of `parameters` with every string passed through `masked`. Built
/// iteratively (serde_json's own `clone` recurses), tracking contexts as
/// [`walk`] does.
fn copy_with(parameters: &Map<String, Value>, masked: &MaskFn<'_>) -> Map<String, Value> {
    let mut stack = vec![Building {
        source: Source::Object(parameters.iter()),
        built: Built::Object(Map::new(), Vec::new()),
        slot: Slot::Item,
        context: Context::default(),
    }];
    while let Some(frame) = stack.last_mut() {
        let context = frame.context;
        let next = match &mut frame.source {
            Source::Object(entries) => entries.next().map(|(key, value)| {
                let slot = match masked(key, context) {
                    Cow::Borrowed(_) => Slot::Key(key.clone()),
                    Cow::Owned(masked) => Slot::MaskedKey(masked),
                };
                (value, slot, context.under(key))
            }),
            Source::Array(items) => items.next().map(|value| (value, Slot::Item, context)),
        };
        match next {
            Some((Value::Object(entries), slot, context)) => stack.push(Building {
                source: Source::Object(entries.iter()),
                built: Built::Object(Map::new(), Vec::new()),
                slot,
                context,
            }),
            Some((Value::Array(items), slot, context)) => stack.push(Building {
                source: Source::Array(items.iter()),
                built: Built::Array(Vec::with_capacity(items.len())),
                slot,
                context,
            }),
            Some((scalar, slot, context)) => frame
                .built
                .place(slot, masked_scalar(scalar, context, masked)),
            None => {
                let Some(done) = stack.pop() else { break };
                match (stack.last_mut(), done.built.finish()) {
                    (Some(parent), value) => parent.built.place(done.slot, value),
                    (None, Value::Object(copy)) => return copy,
                    (None, _) => break,
                }
            }
        }
    }
    Map::new()
}

/// A container being copied.
struct Building<'a> {
    source: Source<'a>,
    built: Built,
    /// Where the finished copy goes in its parent.
    slot: Slot,
    /// The context of what is in the container.
    context: Context,
}

enum Source<'a> {
    Object(serde_json::map::Iter<'a>),
    Array(std::slice::Iter<'a, Value>),
}

/// A copy under construction. Entries whose key was masked wait in the
/// second list, to go in last (see [`Built::finish`]).
enum Built {
    Object(Map<String, Value>, Vec<(String, Value)>),
    Array(Vec<Value>),
}

enum Slot {
    Key(String),
    MaskedKey(String),
    Item,
}

impl Built {
    fn place(&mut self, slot: Slot, value: Value) {
        match (self, slot) {
            (Built::Object(entries, _), Slot::Key(key)) => {
                entries.insert(key, value);
            }
            (Built::Object(_, masked), Slot::MaskedKey(key)) => masked.push((key, value)),
            (Built::Array(items), _) => items.push(value),
            // Object members always come with a key.
            (Built::Object(..), Slot::Item) => {}
        }
    }

    /// Masked keys go in after the others, renamed `… (2)` on a collision:
    /// two addresses masked alike, or a key that already read like a mask,
    /// must not overwrite each other's values.
    fn finish(self) -> Value {
        match self {
            Built::Array(items) => Value::Array(items),
            Built::Object(mut entries, masked) => {
                for (key, value) in masked {
                    let key = unused_key(&entries, key);
                    entries.insert(key, value);
                }
                Value::Object(entries)
            }
        }
    }
}

fn unused_key(entries: &Map<String, Value>, key: String) -> String {
    if !entries.contains_key(&key) {
        return key;
    }
    let mut n = 2;
    loop {
        let renamed = format!("{key} ({n})");
        if !entries.contains_key(&renamed) {
            return renamed;
        }
        n += 1;
    }
}

/// A string, number, boolean or null, copied. A number whose text holds a
/// secret (a card number, or a copy of one detected elsewhere) becomes the
/// masked text.
fn masked_scalar(value: &Value, context: Context, masked: &MaskFn<'_>) -> Value {
    match value {
        Value::String(text) => Value::String(masked(text, context).into_owned()),
        Value::Number(number) => {
            let mut buffer = [0; NUMBER_TEXT_LEN];
            let text = number_text(number, &mut buffer);
            match text.map(|text| masked(text, Context::default())) {
                Some(Cow::Owned(masked)) => Value::String(masked),
                _ => value.clone(),
            }
        }
        other => other.clone(),
    }
}

// ---------------------------------------------------------------------------
// Detecting

/// A detection: `text[start..end]` is the secret.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Hit {
    start: usize,
    end: usize,
    kind: DataKind,
    /// What the mask keeps: a fixed prefix naming the token's type.
    marker: &'static str,
}

/// Reports every secret in `text` to `on_hit`, left to right, without
/// overlaps. Each position is tried by the detectors the prefilter allows
/// and whose first byte it is; after a hit the scan resumes at its end. Every
/// detector either reads a bounded distance or reads a run that only its
/// first byte can start, so the whole is linear in the text.
fn detect(text: &str, start: Context, on_hit: &mut dyn FnMut(Hit)) {
    detect_wanted(text, start, prefilter(text.as_bytes(), start), on_hit);
}

/// [`detect`] with the detectors in `wanted` (as [`DataKind::bit`]s) only.
fn detect_wanted(text: &str, start: Context, wanted: u16, on_hit: &mut dyn FnMut(Hit)) {
    let bytes = text.as_bytes();
    if wanted == 0 {
        return;
    }
    let mut context = start;
    let tracks_context = wanted & DataKind::AwsSecretKey.bit() != 0;
    // Where the last hit ended: an email's local part starts no earlier.
    let mut floor = 0;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b == 0xE2 {
            if let Some(len) = mask_len_at(bytes, i) {
                i += len;
                floor = i;
                continue;
            }
        }
        if tracks_context {
            if b == b'\n' {
                context = start;
            } else {
                context.note(bytes, i);
            }
        }
        let mut can_start = STARTS[usize::from(b)] & wanted;
        if !context.secret {
            can_start &= !DataKind::AwsSecretKey.bit();
        }
        if can_start == 0 {
            i += 1;
            continue;
        }
        match hit_at(bytes, i, can_start, floor) {
            Some(hit) => {
                on_hit(hit);
                i = hit.end;
                floor = hit.end;
            }
            None => i += 1,
        }
    }
}

/// The detectors (as [`DataKind::bit`]s) that can start at each byte: most
/// bytes start none, and cost the scan one lookup.
static STARTS: [u16; 256] = {
    let mut starts = [0; 256];
    let mut b = 0;
    while b < 256 {
        let byte = b as u8;
        if byte.is_ascii_alphanumeric() || byte == b'/' || byte == b'+' {
            starts[b] |= DataKind::AwsSecretKey.bit();
        }
        if byte.is_ascii_digit() {
            starts[b] |= DataKind::PaymentCard.bit() | DataKind::Phone.bit();
        }
        b += 1;
    }
    starts[b'A' as usize] |= DataKind::AwsAccessKey.bit();
    starts[b'g' as usize] |= DataKind::GithubToken.bit();
    starts[b'x' as usize] |= DataKind::SlackToken.bit();
    starts[b'h' as usize] |= DataKind::SlackToken.bit();
    starts[b'-' as usize] |= DataKind::PrivateKey.bit();
    starts[b'e' as usize] |= DataKind::Jwt.bit();
    starts[b'b' as usize] |= DataKind::BearerToken.bit();
    starts[b'B' as usize] |= DataKind::BearerToken.bit();
    starts[b'+' as usize] |= DataKind::Phone.bit();
    starts[b'(' as usize] |= DataKind::Phone.bit();
    starts[b'@' as usize] |= DataKind::Email.bit();
    starts
};

/// The detectors that can match in `bytes`, as [`DataKind::bit`]s, from one
/// cheap pass: gitleaks' per-rule keywords (`akia`, `ghp_`, `xox`, `eyj`,
/// `-----begin` …), an `@` between word characters for email, and runs of
/// digits (separated by at most two of ` -.()`) from where a number can
/// start: 10 digits for a national phone number, 13 for a card. Keywords are recognised at their rarest byte
/// (`J` of `eyJ`, `_` of `ghp_`, `G` of `-----BEGIN`), so ordinary text costs
/// one table lookup per byte.
fn prefilter(bytes: &[u8], context: Context) -> u16 {
    let mut wanted = if context.aws {
        DataKind::AwsSecretKey.bit()
    } else {
        0
    };
    // The current run of digits and separators: whether it has reached a
    // place where a number can start (`a716-446655…`, the tail of a UUID,
    // never does), and the digits counted since.
    let mut in_run = false;
    let mut counting = false;
    let mut digits = 0;
    let mut separators = 0;
    for (i, &b) in bytes.iter().enumerate() {
        match PREFILTER_CLASS[usize::from(b)] {
            DIGIT => {
                if !counting && (i == 0 || !bytes[i - 1].is_ascii_digit()) {
                    counting = at_number_start(bytes, i);
                }
                if counting {
                    digits += 1;
                    if digits >= 10 {
                        wanted |= DataKind::Phone.bit();
                    }
                    if digits >= 13 {
                        wanted |= DataKind::PaymentCard.bit();
                    }
                }
                in_run = true;
                separators = 0;
            }
            SEPARATOR if in_run && separators < 2 => separators += 1,
            class => {
                (in_run, counting, digits, separators) = (false, false, 0, 0);
                if class == ANCHOR {
                    wanted |= keywords_at(bytes, i);
                }
            }
        }
    }
    wanted
}

const DIGIT: u8 = 1;
const SEPARATOR: u8 = 2;
const ANCHOR: u8 = 3;

/// How [`prefilter`] treats each byte.
static PREFILTER_CLASS: [u8; 256] = {
    let mut class = [0; 256];
    let mut b = b'0';
    while b <= b'9' {
        class[b as usize] = DIGIT;
        b += 1;
    }
    let separators = b" -.()";
    let mut i = 0;
    while i < separators.len() {
        class[separators[i] as usize] = SEPARATOR;
        i += 1;
    }
    let anchors = b"AwWJ_xkGbB+@";
    let mut i = 0;
    while i < anchors.len() {
        class[anchors[i] as usize] = ANCHOR;
        i += 1;
    }
    class
};

/// The detectors whose keyword has its anchor byte at `i`.
fn keywords_at(bytes: &[u8], i: usize) -> u16 {
    let before = |n: usize| i.checked_sub(n).and_then(|start| bytes.get(start..));
    let starts = |n: usize, keyword: &[u8]| before(n).is_some_and(|at| at.starts_with(keyword));
    match bytes[i] {
        b'A' => {
            let key = AWS_KEY_PREFIXES.iter().any(|p| starts(0, p.as_bytes())) || starts(0, b"A3T");
            bit_if(key, DataKind::AwsAccessKey)
                | bit_if(starts_with_ci(bytes, i, b"aws"), DataKind::AwsSecretKey)
        }
        b'w' | b'W' => bit_if(
            i > 0 && starts_with_ci(bytes, i - 1, b"aws"),
            DataKind::AwsSecretKey,
        ),
        b'J' => bit_if(starts(2, b"eyJ"), DataKind::Jwt),
        b'_' => {
            let github = GITHUB_PREFIXES
                .iter()
                .any(|p| starts(p.find('_').unwrap_or_default(), p.as_bytes()));
            bit_if(github, DataKind::GithubToken)
        }
        b'x' => bit_if(starts(0, b"xox"), DataKind::SlackToken),
        b'k' => bit_if(starts(3, SLACK_HOOKS), DataKind::SlackToken),
        b'G' => bit_if(starts(7, PEM_BEGIN), DataKind::PrivateKey),
        b'b' | b'B' => bit_if(starts_with_ci(bytes, i, b"bearer"), DataKind::BearerToken),
        b'+' => bit_if(
            bytes.get(i + 1).is_some_and(u8::is_ascii_digit),
            DataKind::Phone,
        ),
        b'@' => bit_if(
            i > 0
                && is_local(bytes[i - 1])
                && bytes.get(i + 1).is_some_and(u8::is_ascii_alphanumeric),
            DataKind::Email,
        ),
        _ => 0,
    }
}

fn bit_if(condition: bool, kind: DataKind) -> u16 {
    if condition {
        kind.bit()
    } else {
        0
    }
}

/// The secret starting (or, for an email, whose `@` is) at `i`, if any, for
/// the detectors in `wanted`.
fn hit_at(bytes: &[u8], i: usize, wanted: u16, floor: usize) -> Option<Hit> {
    let wants = |kind: DataKind| wanted & kind.bit() != 0;
    let hit = match bytes[i] {
        b'A' if wants(DataKind::AwsAccessKey) => aws_access_key_at(bytes, i),
        b'g' if wants(DataKind::GithubToken) => github_token_at(bytes, i),
        b'x' if wants(DataKind::SlackToken) => slack_token_at(bytes, i),
        b'h' if wants(DataKind::SlackToken) => slack_webhook_at(bytes, i),
        b'-' if wants(DataKind::PrivateKey) => private_key_at(bytes, i),
        b'e' if wants(DataKind::Jwt) => jwt_at(bytes, i),
        b'B' | b'b' if wants(DataKind::BearerToken) => bearer_token_at(bytes, i),
        // Most digits are inside a number: only a number's first digit can
        // start a card or a phone number.
        b'0'..=b'9' if at_number_start(bytes, i) => {
            let card = if wants(DataKind::PaymentCard) {
                payment_card_at(bytes, i)
            } else {
                None
            };
            card.or_else(|| wants(DataKind::Phone).then(|| phone_at(bytes, i)).flatten())
        }
        b'+' | b'(' if wants(DataKind::Phone) => phone_at(bytes, i),
        b'@' if wants(DataKind::Email) => email_at(bytes, i, floor),
        _ => None,
    };
    // The secret key needs its context; the caller wants it only then.
    hit.or_else(|| {
        wants(DataKind::AwsSecretKey)
            .then(|| aws_secret_key_at(bytes, i))
            .flatten()
    })
}

// --- Cloud and service tokens ------------------------------------------------

const AWS_KEY_PREFIXES: [&str; 4] = ["AKIA", "ASIA", "ABIA", "ACCA"];

/// gitleaks `aws-access-token`: `(A3T[A-Z0-9]|AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16}`
/// between word boundaries, entropy at least 3, and not one of AWS's
/// documented keys (gitleaks' allowlist `.+EXAMPLE$`: `AKIAIOSFODNN7EXAMPLE`).
fn aws_access_key_at(bytes: &[u8], i: usize) -> Option<Hit> {
    if !at_word_start(bytes, i) {
        return None;
    }
    let rest = &bytes[i..];
    let marker = match AWS_KEY_PREFIXES
        .iter()
        .find(|p| rest.starts_with(p.as_bytes()))
    {
        Some(prefix) => *prefix,
        None if rest.starts_with(b"A3T")
            && rest
                .get(3)
                .is_some_and(|b| b.is_ascii_uppercase() || b.is_ascii_digit()) =>
        {
            "A3T"
        }
        None => return None,
    };
    let end = i + 20;
    let key = bytes.get(i..end)?;
    let base32 = |b: &u8| b.is_ascii_uppercase() || (b'2'..=b'7').contains(b);
    let genuine = key[4..].iter().all(base32)
        && ends_cleanly(bytes, end)
        && !key.ends_with(b"EXAMPLE")
        && !is_placeholder(key)
        && entropy(key) >= 3.0;
    genuine.then_some(Hit {
        start: i,
        end,
        kind: DataKind::AwsAccessKey,
        marker,
    })
}

/// detect-secrets' `aws.{0,20}?(key|pwd|pw|password|pass|token).{0,20}?['"]([0-9a-zA-Z/+]{40})['"]`,
/// with the naming taken as context rather than distance (a distance would
/// change when masking shortens the text): exactly 40 characters of
/// `[A-Za-z0-9/+]` after `aws` and a secret word on the same line or in the
/// keys above. Any base64 could be that long, so it must also mix upper case,
/// lower case and digits (a hex SHA-1 does not) with an entropy of at least 4
/// bits (random ones are above 4.1), and not be AWS's documented example
/// `wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY`.
fn aws_secret_key_at(bytes: &[u8], i: usize) -> Option<Hit> {
    let in_key = |b: u8| b.is_ascii_alphanumeric() || b == b'/' || b == b'+';
    if i > 0 && (in_key(bytes[i - 1]) || after_mask(bytes, i)) {
        return None;
    }
    let end = i + run(bytes, i, in_key);
    let key = &bytes[i..end];
    let has = |class: fn(&u8) -> bool| key.iter().any(class);
    let genuine = key.len() == 40
        && bytes.get(end) != Some(&b'=')
        && !truncated(bytes, end)
        && has(u8::is_ascii_uppercase)
        && has(u8::is_ascii_lowercase)
        && has(u8::is_ascii_digit)
        && !is_placeholder(key)
        && entropy(key) >= 4.0;
    genuine.then_some(Hit {
        start: i,
        end,
        kind: DataKind::AwsSecretKey,
        marker: "",
    })
}

const GITHUB_PREFIXES: [&str; 6] = ["github_pat_", "ghp_", "gho_", "ghu_", "ghs_", "ghr_"];

/// gitleaks `github-pat`, `github-oauth`, `github-app-token`,
/// `github-refresh-token` (`gh[pousr]_` and 36 letters and digits) and
/// `github-fine-grained-pat` (`github_pat_` and 82 word characters), entropy
/// at least 3; longer bodies are accepted, as GitHub reserves the right to
/// lengthen tokens. Placeholders such as `ghp_xxxx…` are not tokens.
fn github_token_at(bytes: &[u8], i: usize) -> Option<Hit> {
    if !at_word_start(bytes, i) {
        return None;
    }
    let marker = *GITHUB_PREFIXES
        .iter()
        .find(|p| bytes[i..].starts_with(p.as_bytes()))?;
    let start = i + marker.len();
    let (len, shortest) = if marker == "github_pat_" {
        (run(bytes, start, is_word), 82)
    } else {
        (run(bytes, start, |b| b.is_ascii_alphanumeric()), 36)
    };
    let end = start + len;
    let body = &bytes[start..end];
    let genuine = (shortest..=255).contains(&len)
        && ends_cleanly(bytes, end)
        && !is_placeholder(body)
        && entropy(body) >= 3.0;
    genuine.then_some(Hit {
        start: i,
        end,
        kind: DataKind::GithubToken,
        marker,
    })
}

const SLACK_PREFIXES: [&str; 5] = ["xoxa-", "xoxb-", "xoxp-", "xoxr-", "xoxs-"];

/// Slack tokens, in the shape gitleaks' slack rules and detect-secrets'
/// `xox[abposr]-(\d+-)+[a-z0-9]+` share: numeric ids separated by dashes, at
/// least one of 8 or more digits, then a secret of at least 18 letters and
/// digits with entropy at least 2.5 (32 hex digits can be as low as 2.8).
/// gitleaks' false positives fail: `xoxb-12345-abcd234`,
/// `xoxp-1234-1234-1234-4ddbc…`, `xoxb-xxxxxxxxx-…`.
fn slack_token_at(bytes: &[u8], i: usize) -> Option<Hit> {
    if !at_word_start(bytes, i) {
        return None;
    }
    let marker = *SLACK_PREFIXES
        .iter()
        .find(|p| bytes[i..].starts_with(p.as_bytes()))?;
    let mut at = i + marker.len();
    let mut long_id = false;
    loop {
        let len = run(bytes, at, |b| b.is_ascii_alphanumeric());
        let end = at + len;
        let segment = &bytes[at..end];
        let more = bytes.get(end) == Some(&b'-')
            && bytes.get(end + 1).is_some_and(u8::is_ascii_alphanumeric);
        if more {
            if !(1..=14).contains(&len) || !segment.iter().all(u8::is_ascii_digit) {
                return None;
            }
            long_id |= len >= 8;
            at = end + 1;
            continue;
        }
        let genuine = long_id
            && len >= 18
            && ends_cleanly(bytes, end)
            && !is_placeholder(segment)
            && entropy(segment) >= 2.5;
        return genuine.then_some(Hit {
            start: i,
            end,
            kind: DataKind::SlackToken,
            marker,
        });
    }
}

const SLACK_HOOKS: &[u8] = b"hooks.slack.com/";

/// gitleaks `slack-webhook-url` and detect-secrets' webhook pattern: the path
/// after `hooks.slack.com/services/` (or `workflows/`, `triggers/`) names the
/// workspace and channel and ends in the secret, which must look random:
/// Slack's documented `T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX` does
/// not. Only the path is masked; the host stays readable.
fn slack_webhook_at(bytes: &[u8], i: usize) -> Option<Hit> {
    let after_host = bytes[i..].strip_prefix(SLACK_HOOKS)?;
    let kind = [&b"services/"[..], b"workflows/", b"triggers/"]
        .into_iter()
        .find(|kind| after_host.starts_with(kind))?;
    let start = i + SLACK_HOOKS.len() + kind.len();
    let end = start
        + run(bytes, start, |b| {
            b.is_ascii_alphanumeric() || b"_/+".contains(&b)
        });
    let path = &bytes[start..end];
    let secret = path.rsplit(|b| *b == b'/').next().unwrap_or(path);
    let genuine = path.len() >= 30
        && secret.len() >= 16
        && !truncated(bytes, end)
        && !is_placeholder(secret)
        && entropy(secret) >= 3.0;
    genuine.then_some(Hit {
        start,
        end,
        kind: DataKind::SlackToken,
        marker: "",
    })
}

const PEM_BEGIN: &[u8] = b"-----BEGIN ";

/// gitleaks `private-key`: a `-----BEGIN … PRIVATE KEY-----` header (also
/// `… PRIVATE KEY BLOCK`; detect-secrets lists the same headers), then at
/// least 64 characters of key material with an entropy of at least 4, through
/// the `-----END …-----` footer when there is one. A header over a
/// placeholder (`...`, `<key>`, nothing: gitleaks' false positives) is not a
/// key; a key cut short is still one, masked as far as it goes. Newlines may
/// be real or escaped (`\n`), as when a PEM file is pasted into JSON text.
fn private_key_at(bytes: &[u8], i: usize) -> Option<Hit> {
    let label_start = i + PEM_BEGIN.len();
    if !bytes[i..].starts_with(PEM_BEGIN) {
        return None;
    }
    let label_len = run(bytes, label_start, is_pem_label);
    let label = &bytes[label_start..label_start + label_len];
    let header_end = label_start + label_len;
    if label_len > 64
        || !(label.ends_with(b"PRIVATE KEY") || label.ends_with(b"PRIVATE KEY BLOCK"))
        || !bytes[header_end..].starts_with(b"-----")
    {
        return None;
    }
    let mut counts = [0u32; 256];
    let mut material = 0;
    let mut at = header_end + 5;
    while let Some(&b) = bytes.get(at) {
        if b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'=') {
            counts[usize::from(b)] += 1;
            material += 1;
        } else if b == b'\\' && matches!(bytes.get(at + 1), Some(b'n' | b'r')) {
            at += 1;
        } else if bytes[at..].starts_with(b"-----")
            // PEM headers (`Proc-Type: 4,ENCRYPTED`) and line breaks.
            || !matches!(b, b' ' | b'\t' | b'\r' | b'\n' | b':' | b',' | b'-')
        {
            break;
        }
        at += 1;
    }
    let mut end = at;
    if bytes[at..].starts_with(b"-----END ") {
        let footer = at + "-----END ".len();
        let footer_end = footer + run(bytes, footer, is_pem_label);
        if footer_end - footer <= 64 && bytes[footer_end..].starts_with(b"-----") {
            end = footer_end + 5;
        }
    }
    (material >= 64 && entropy_of(&counts, material) >= 4.0).then_some(Hit {
        start: i,
        end,
        kind: DataKind::PrivateKey,
        marker: "",
    })
}

fn is_pem_label(b: u8) -> bool {
    b.is_ascii_uppercase() || b.is_ascii_digit() || b == b' '
}

/// The signature of jwt.io's example token (`John Doe`), documentation like
/// AWS's example key.
const JWT_IO_EXAMPLE_SIGNATURE: &[u8] = b"SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c";

/// A JSON Web Token: `header.payload.signature` in base64url, header and
/// payload starting `ey` (`{"`, as gitleaks `jwt` requires), validated the
/// way detect-secrets validates them, by decoding: the header is a JSON
/// object naming its `"alg"`, the payload a JSON object. Decoding streams, so
/// nothing is allocated. The signature may be empty (`"alg":"none"`).
fn jwt_at(bytes: &[u8], i: usize) -> Option<Hit> {
    if i > 0 && (is_base64url(bytes[i - 1]) || bytes[i - 1] == b'.' || after_mask(bytes, i)) {
        return None;
    }
    if !bytes[i..].starts_with(b"eyJ") {
        return None;
    }
    let header_end = i + run(bytes, i, is_base64url);
    let payload_start = header_end + 1;
    let payload_end = payload_start + run(bytes, payload_start, is_base64url);
    let signature_start = payload_end + 1;
    let end = signature_start + run(bytes, signature_start, is_base64url);
    if bytes.get(header_end) != Some(&b'.') || bytes.get(payload_end) != Some(&b'.') {
        return None;
    }
    let header = &bytes[i..header_end];
    let payload = &bytes[payload_start..payload_end];
    let signature = &bytes[signature_start..end];
    let genuine = header.len() >= 16
        && payload.len() >= 8
        && payload.starts_with(b"ey")
        && signature.len() % 4 != 1
        && signature != JWT_IO_EXAMPLE_SIGNATURE
        && !truncated(bytes, end)
        && decodes_to_object(header, true)
        && decodes_to_object(payload, false);
    genuine.then_some(Hit {
        start: i,
        end,
        kind: DataKind::Jwt,
        marker: "eyJ",
    })
}

/// Whether base64url `segment` is valid and decodes to text ending in `}` (it
/// starts with `{"`, by its `ey` prefix) and, when `names_alg`, containing
/// `"alg"`.
fn decodes_to_object(segment: &[u8], names_alg: bool) -> bool {
    const ALG: u64 = u64::from_be_bytes([0, 0, 0, b'"', b'a', b'l', b'g', b'"']);
    if segment.len() % 4 == 1 {
        return false;
    }
    let (mut bits, mut pending) = (0u32, 0u32);
    let (mut window, mut last, mut alg) = (0u64, 0u8, !names_alg);
    for &c in segment {
        let sextet = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'-' => 62,
            b'_' => 63,
            _ => return false,
        };
        bits = (bits << 6) | u32::from(sextet);
        pending += 6;
        if pending >= 8 {
            pending -= 8;
            let byte = (bits >> pending) as u8;
            bits &= (1 << pending) - 1;
            if !byte.is_ascii_whitespace() {
                last = byte;
            }
            window = ((window << 8) | u64::from(byte)) & 0xFF_FFFF_FFFF;
            alg |= window == ALG;
        }
    }
    last == b'}' && alg
}

/// An opaque token after `Bearer` (RFC 6750's b64token alphabet), with
/// gitleaks' `curl-auth-header` in mind and its false positives
/// (`Bearer XXXXXXXXXXXX`, `Bearer <token>`, `Bearer $API_KEY`) kept out: at
/// least 16 characters, not only letters and `_.-` (gitleaks' generic-key
/// allowlist `^[a-zA-Z_.-]+$`: `your-token-here`), entropy at least 3, no
/// placeholder word. A token that another detector recognises (a JWT, a
/// GitHub token …) is left to it, which names it better.
fn bearer_token_at(bytes: &[u8], i: usize) -> Option<Hit> {
    if !at_word_start(bytes, i) || !starts_with_ci(bytes, i, b"bearer") {
        return None;
    }
    let gap = run(bytes, i + 6, |b| b == b' ' || b == b'\t');
    let start = i + 6 + gap;
    let len = run(bytes, start, is_b64token);
    let end = start + len + run(bytes, start + len, |b| b == b'=');
    let token = &bytes[start..end];
    let wordy = token
        .iter()
        .all(|&b| b.is_ascii_alphabetic() || matches!(b, b'_' | b'.' | b'-'));
    let genuine = gap > 0
        && len >= 16
        && !truncated(bytes, end)
        && !wordy
        && !is_placeholder(token)
        && entropy(token) >= 3.0
        && !recognised_token_at(bytes, start);
    genuine.then_some(Hit {
        start,
        end,
        kind: DataKind::BearerToken,
        marker: "",
    })
}

fn is_b64token(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'+' | b'/')
}

/// Whether a more specific detector matches at `i`; the scan reaches `i`
/// later and reports that match itself.
fn recognised_token_at(bytes: &[u8], i: usize) -> bool {
    aws_access_key_at(bytes, i).is_some()
        || github_token_at(bytes, i).is_some()
        || slack_token_at(bytes, i).is_some()
        || jwt_at(bytes, i).is_some()
}

// --- Personal data -------------------------------------------------------------

/// Presidio's credit-card recogniser, tightened: 13 to 19 digits, contiguous
/// or in groups (the first of four, as printed on cards) split by one kind of
/// separator, a prefix and length a card network issues (Visa, Mastercard,
/// American Express, Discover, UnionPay, JCB, Diners Club, Maestro), and a
/// valid Luhn check digit. Not inside an identifier (`ORD-4111…`) or a
/// decimal (`…1111.50`). A millisecond timestamp (13 digits from 1) has no
/// network.
fn payment_card_at(bytes: &[u8], i: usize) -> Option<Hit> {
    if !at_number_start(bytes, i) {
        return None;
    }
    let hit = |end| Hit {
        start: i,
        end,
        kind: DataKind::PaymentCard,
        marker: "",
    };
    let first = run(bytes, i, |b| b.is_ascii_digit());
    if first >= 13 {
        let end = i + first;
        let genuine = first <= 19 && at_number_end(bytes, end) && is_card_number(&bytes[i..end]);
        return genuine.then(|| hit(end));
    }
    let separator = *bytes.get(i + 4)?;
    if first != 4 || !matches!(separator, b' ' | b'-') {
        return None;
    }
    let mut digits = [0u8; 19];
    digits[..4].copy_from_slice(&bytes[i..i + 4]);
    let mut count = 4;
    let mut at = i + 4;
    let mut longest = None;
    while bytes.get(at) == Some(&separator) {
        let len = run(bytes, at + 1, |b| b.is_ascii_digit());
        if !(1..=6).contains(&len) || count + len > digits.len() {
            break;
        }
        digits[count..count + len].copy_from_slice(&bytes[at + 1..at + 1 + len]);
        count += len;
        at += 1 + len;
        // More groups may follow (`4111 1111 1111 1111 2027`): the card is
        // the longest run of groups that validates.
        let followed_by_group =
            bytes.get(at) == Some(&separator) && bytes.get(at + 1).is_some_and(u8::is_ascii_digit);
        if count >= 13
            && (followed_by_group || at_number_end(bytes, at))
            && is_card_number(&digits[..count])
        {
            longest = Some(at);
        }
    }
    longest.map(hit)
}

fn is_card_number(digits: &[u8]) -> bool {
    network_issues(digits) && luhn_valid(digits)
}

/// Whether a card network issues numbers with these leading digits and this
/// many digits.
fn network_issues(digits: &[u8]) -> bool {
    let prefix = |n: usize| {
        digits
            .iter()
            .take(n)
            .fold(0u32, |value, d| value * 10 + u32::from(d - b'0'))
    };
    let (p2, p3, p4) = (prefix(2), prefix(3), prefix(4));
    let len = digits.len();
    if digits.first() == Some(&b'4') {
        matches!(len, 13 | 16 | 19) // Visa
    } else if p2 == 34 || p2 == 37 {
        len == 15 // American Express
    } else if (51..=55).contains(&p2) || (2221..=2720).contains(&p4) {
        len == 16 // Mastercard
    } else if p4 == 6011
        || p2 == 65
        || (644..=649).contains(&p3)
        || p2 == 62
        || (3528..=3589).contains(&p4)
    {
        (16..=19).contains(&len) // Discover, UnionPay, JCB
    } else if (300..=305).contains(&p3) || matches!(p2, 36 | 38 | 39) {
        (14..=19).contains(&len) // Diners Club
    } else if matches!(p2, 50 | 56..=58 | 63 | 67) {
        (13..=19).contains(&len) // Maestro
    } else {
        false
    }
}

/// The Luhn checksum every payment card number carries in its last digit.
fn luhn_valid(digits: &[u8]) -> bool {
    let sum: u32 = digits
        .iter()
        .rev()
        .enumerate()
        .map(|(position, d)| {
            let d = u32::from(d - b'0');
            if position % 2 == 1 {
                if d * 2 > 9 {
                    d * 2 - 9
                } else {
                    d * 2
                }
            } else {
                d
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

/// Phone numbers, conservatively. Presidio relies on libphonenumber's
/// per-country tables; without them only shapes that are rarely anything else
/// are accepted:
/// - `+` and a country code: 8 to 15 digits (E.164), in groups split by single
///   spaces, dashes or dots, one group possibly in parentheses
///   (`+1 (415) 555-2671`, `+44 (0)20 7946 0958`, `+442079460958`);
/// - North American: `(415) 555-2671`, `415-555-2671`, `415.555.2671`,
///   optionally after `1`, the area code and exchange starting 2–9;
/// - trunk-prefix national: a leading 0 (not 00), 10 or 11 digits in two or
///   more groups of 2–6 split by one kind of separator (`020 7946 0958`,
///   `06 12 34 56 78`).
///
/// Never a bare run of digits (timestamps, ids), a date, a time, an address
/// or a version.
fn phone_at(bytes: &[u8], i: usize) -> Option<Hit> {
    let plus = bytes[i] == b'+';
    let starts = match bytes[i] {
        b'+' | b'(' => {
            i == 0 || !(is_word(bytes[i - 1]) || bytes[i - 1] == b'+' || after_mask(bytes, i))
        }
        _ => at_number_start(bytes, i),
    };
    if !starts {
        return None;
    }
    let mut lens = [0usize; 8];
    let mut firsts = [0u8; 8];
    let mut parenthesised = None;
    let mut separators = [false; 3];
    let mut groups = 0;
    let mut at = i + usize::from(plus);
    let mut end = at;
    while groups < lens.len() {
        let paren = bytes.get(at) == Some(&b'(');
        let digits_start = at + usize::from(paren);
        let len = run(bytes, digits_start, |b| b.is_ascii_digit());
        let closes = !paren || bytes.get(digits_start + len) == Some(&b')');
        if len == 0 || !closes || (paren && parenthesised.is_some()) {
            break;
        }
        if paren {
            parenthesised = Some(groups);
        }
        lens[groups] = len;
        firsts[groups] = bytes[digits_start];
        groups += 1;
        end = digits_start + len + usize::from(paren);
        let next = bytes.get(end + 1).copied();
        let separator = bytes
            .get(end)
            .and_then(|&s| b" -.".iter().position(|&c| c == s));
        match separator {
            Some(kind) if next.is_some_and(|n| n.is_ascii_digit() || n == b'(') => {
                separators[kind] = true;
                at = end + 1;
            }
            // `(0)20`: a group may follow a parenthesis directly.
            None if paren && bytes.get(end).is_some_and(u8::is_ascii_digit) => at = end,
            _ => break,
        }
    }
    if groups == 0 || !at_number_end(bytes, end) {
        return None;
    }
    let lens = &lens[..groups];
    let digits: usize = lens.iter().sum();
    let area = |g: usize| firsts[g] >= b'2';
    let genuine = if plus {
        (8..=15).contains(&digits) && firsts[0] != b'0'
    } else if lens == [3, 3, 4] {
        area(0) && area(1) && matches!(parenthesised, None | Some(0))
    } else if lens == [1, 3, 3, 4] {
        firsts[0] == b'1' && area(1) && area(2) && matches!(parenthesised, None | Some(1))
    } else {
        let first = &bytes[i..i + lens[0]];
        first.first() == Some(&b'0')
            && first.get(1).is_some_and(|&d| d != b'0')
            && groups >= 2
            && (10..=11).contains(&digits)
            && lens.iter().all(|len| (2..=6).contains(len))
            && parenthesised.is_none()
            && separators.iter().filter(|used| **used).count() == 1
    };
    genuine.then_some(Hit {
        start: i,
        end,
        kind: DataKind::Phone,
        marker: "",
    })
}

/// Top-level domains that are file extensions: `icon@2x.png` is a file.
const FILE_EXTENSIONS: [&[u8]; 17] = [
    b"png", b"jpg", b"jpeg", b"gif", b"svg", b"webp", b"ico", b"bmp", b"css", b"js", b"json",
    b"html", b"htm", b"xml", b"txt", b"pdf", b"zip",
];

/// Domains reserved for documentation and testing (RFC 2606), the email
/// equivalent of AWS's example key: nobody receives mail there.
const RESERVED_DOMAINS: [&[u8]; 3] = [b"example.com", b"example.org", b"example.net"];
const RESERVED_TLDS: [&[u8]; 4] = [b"example", b"test", b"invalid", b"localhost"];

/// An email address: Presidio's shape, narrowed to the characters seen in
/// practice. A local part of `[A-Za-z0-9._%+-]` (at most 64, starting with a
/// letter or digit, not ending with a dot), `@`, two or more DNS labels, and
/// an alphabetic top-level domain. Not an address: the user of a URL
/// (`https://user:pass@host`), an SSH remote (`git@github.com:org/repo`), a
/// file (`icon@2x.png`), a package version (`pkg@1.2.3`), a decorator or
/// handle (`@app.route`), a reserved domain (`user@example.com`), an
/// obfuscated address (`user at example dot com`).
fn email_at(bytes: &[u8], at: usize, floor: usize) -> Option<Hit> {
    let mut start = at;
    while start > floor && bytes.get(start - 1).is_some_and(|&b| is_local(b)) {
        start -= 1;
        if at - start > 64 {
            return None;
        }
    }
    while start < at && !bytes[start].is_ascii_alphanumeric() {
        start += 1;
    }
    if start == at || bytes[at - 1] == b'.' {
        return None;
    }
    let mut label_start = at + 1;
    let mut end = label_start;
    let mut labels = 0;
    let mut tld: &[u8] = &[];
    loop {
        let len = run(bytes, label_start, |b| {
            b.is_ascii_alphanumeric() || b == b'-'
        });
        let label = &bytes[label_start..label_start + len];
        if !(1..=63).contains(&len) || label.first() == Some(&b'-') || label.last() == Some(&b'-') {
            // A domain cut off by a mask (`acme.co.uk-----…`) went on.
            if truncated(bytes, label_start + len) {
                return None;
            }
            break;
        }
        labels += 1;
        end = label_start + len;
        tld = label;
        let dot_then_label = bytes.get(end) == Some(&b'.')
            && bytes.get(end + 1).is_some_and(u8::is_ascii_alphanumeric);
        if !dot_then_label {
            break;
        }
        label_start = end + 1;
    }
    let domain = &bytes[at + 1..end];
    let after = bytes.get(end).copied();
    let genuine = labels >= 2
        && domain.len() <= 253
        && tld.len() >= 2
        && (tld.iter().all(u8::is_ascii_alphabetic) || starts_with_ci(tld, 0, b"xn--"))
        && !after.is_some_and(|b| is_word(b) || b == b'-' || b == b'@')
        && !truncated(bytes, end)
        && !FILE_EXTENSIONS.iter().any(|e| tld.eq_ignore_ascii_case(e))
        && !RESERVED_TLDS.iter().any(|t| tld.eq_ignore_ascii_case(t))
        && !RESERVED_DOMAINS
            .iter()
            .any(|d| domain.eq_ignore_ascii_case(d) || ends_with_subdomain_of(domain, d))
        && !bytes[start..at].eq_ignore_ascii_case(b"git")
        && !in_url_userinfo(bytes, start);
    genuine.then_some(Hit {
        start,
        end,
        kind: DataKind::Email,
        marker: "",
    })
}

fn is_local(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'%' | b'+' | b'-')
}

fn ends_with_subdomain_of(domain: &[u8], parent: &[u8]) -> bool {
    domain.len() > parent.len()
        && domain[domain.len() - parent.len()..].eq_ignore_ascii_case(parent)
        && domain[domain.len() - parent.len() - 1] == b'.'
}

/// Whether the text before `start` makes it the user part of a URL:
/// `scheme://user@host` or `scheme://user:password@host`.
fn in_url_userinfo(bytes: &[u8], start: usize) -> bool {
    let mut k = start;
    while k > 0 && start - k < 256 {
        match bytes[k - 1] {
            b'/' => return k >= 3 && &bytes[k - 3..k] == b"://",
            b if b.is_ascii_whitespace() || b"@\"'<>?&=#".contains(&b) => return false,
            _ => k -= 1,
        }
    }
    false
}

// --- Shared checks -------------------------------------------------------------

/// Words of documentation and templates, from gitleaks' allowlists and false
/// positives and detect-secrets' filters: a value containing one is an
/// example (`AKIAXXXXXXXXXXXXXXXX`, `Bearer your-access-token-1`), not a
/// secret. Checked only on token bodies, which are short: in a random token
/// of 40 characters one of them appears about once in 10⁴.
const PLACEHOLDER_WORDS: [&[u8]; 9] = [
    b"example",
    b"xxxx",
    b"your",
    b"placeholder",
    b"redacted",
    b"changeme",
    b"dummy",
    b"sample",
    b"fake",
];

fn is_placeholder(body: &[u8]) -> bool {
    PLACEHOLDER_WORDS.iter().any(|word| {
        body.windows(word.len())
            .any(|window| window.eq_ignore_ascii_case(word))
    }) || has_long_sequence(body)
}

/// Eight characters in a row that repeat or count up (`00000000`,
/// `12345678`, `abcdefgh`): detect-secrets' sequential-string filter and
/// gitleaks' `abcdefghijklmnopqrstuvwxyz` stopword. Entropy alone lets
/// `abcdefghijklmnop` through (4 bits, every letter distinct).
fn has_long_sequence(body: &[u8]) -> bool {
    let (mut repeated, mut counting) = (1, 1);
    for pair in body.windows(2) {
        repeated = if pair[1] == pair[0] { repeated + 1 } else { 1 };
        counting = if pair[1] == pair[0].wrapping_add(1) {
            counting + 1
        } else {
            1
        };
        if repeated >= 8 || counting >= 8 {
            return true;
        }
    }
    false
}

/// Shannon entropy in bits per character, as gitleaks and detect-secrets
/// compute it for their floors.
fn entropy(body: &[u8]) -> f64 {
    let mut counts = [0u32; 256];
    for &b in body {
        counts[usize::from(b)] += 1;
    }
    entropy_of(&counts, body.len())
}

fn entropy_of(counts: &[u32; 256], total: usize) -> f64 {
    let total = total as f64;
    counts
        .iter()
        .filter(|&&count| count > 0)
        .map(|&count| {
            let p = f64::from(count) / total;
            -p * p.log2()
        })
        .sum()
}

fn is_word(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

fn is_base64url(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'-' || b == b'_'
}

/// How many bytes from `from` on are in `class`.
fn run(bytes: &[u8], from: usize, class: fn(u8) -> bool) -> usize {
    bytes
        .get(from..)
        .map_or(0, |rest| rest.iter().take_while(|&&b| class(b)).count())
}

fn starts_with_ci(bytes: &[u8], at: usize, lower: &[u8]) -> bool {
    bytes
        .get(at..at + lower.len())
        .is_some_and(|found| found.eq_ignore_ascii_case(lower))
}

fn at_word_start(bytes: &[u8], i: usize) -> bool {
    i == 0 || !(is_word(bytes[i - 1]) || after_mask(bytes, i))
}

/// Whether a mask (`…[label]`) ends at `i`. Text after a mask counts as
/// joined to it, as it was joined to the secret the mask replaced (which may
/// have ended in a letter): masking must not make a word boundary.
fn after_mask(bytes: &[u8], i: usize) -> bool {
    let Some(before) = bytes.get(..i).and_then(|b| b.strip_suffix(b"]")) else {
        return false;
    };
    let label = before
        .iter()
        .rev()
        .take(24)
        .take_while(|b| b.is_ascii_lowercase() || **b == b'_')
        .count();
    label > 0 && before[..before.len() - label].ends_with("…[".as_bytes())
}

/// Whether the text at `end` is cut off by an ellipsis. A body followed by `…`
/// is an excerpt, not a whole secret; and since every mask has a `…` right
/// after its marker, text left beside a mask can never complete a secret.
fn truncated(bytes: &[u8], end: usize) -> bool {
    bytes
        .get(end..)
        .is_some_and(|rest| rest.starts_with("…".as_bytes()))
}

/// Whether a token's body ends at `end`: not inside a longer word, not cut
/// off by an ellipsis.
fn ends_cleanly(bytes: &[u8], end: usize) -> bool {
    !bytes.get(end).is_some_and(|&b| is_word(b)) && !truncated(bytes, end)
}

/// Whether a number can start at `i`: not inside a word, not after `+` (an
/// international phone number), not continuing an identifier or a decimal
/// (`ORD-4111…`, `v1.4111…`, `1,4111…`).
fn at_number_start(bytes: &[u8], i: usize) -> bool {
    let Some(before) = i.checked_sub(1).map(|p| bytes[p]) else {
        return true;
    };
    match before {
        b'+' => false,
        b'-' | b'.' | b'/' | b',' => {
            !(i >= 2 && (bytes[i - 2].is_ascii_alphanumeric() || after_mask(bytes, i - 1)))
        }
        b => !is_word(b) && !after_mask(bytes, i),
    }
}

/// Whether a number ends at `end`: not inside a word, not followed by more of
/// a decimal or an identifier (`….50`, `…-7`), not cut off by an ellipsis.
fn at_number_end(bytes: &[u8], end: usize) -> bool {
    match bytes.get(end) {
        None => true,
        Some(b'.' | b',' | b'-' | b'/') => {
            !(bytes.get(end + 1).is_some_and(u8::is_ascii_alphanumeric)
                || truncated(bytes, end + 1))
        }
        // `+44 20 …`: a group separator before a mask means the number went on.
        Some(b' ' | b'(' | b')') if truncated(bytes, end + 1) => false,
        Some(&b) => !is_word(b) && !truncated(bytes, end),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    // Fixtures: random bodies of the right shapes, generated for these tests.
    const AWS_KEY: &str = "AKIALALEMEL33243OLIB";
    const AWS_TEMPORARY_KEY: &str = "ASIAY34FZKBOKMUTVV7A";
    const AWS_SECRET: &str = "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";
    const GITHUB_TOKENS: [&str; 6] = [
        "ghp_u8jzPde0IgxLd6GncfBAepfJBd0Kh8oOOL8d",
        "gho_KLzdocJ2isAjIhKtJ0RlgLKOmxgJTeKdNnFR",
        "ghu_IBXuDL7DxtpYlSXpfKtHF4vUCsMehGAkWvj7",
        "ghs_FAc9QeWJKY40uvSwMFLZDe1f8rESQedUStPK",
        "ghr_R0CsTy4Qwb8DwkNhFdnXsiVpzz63FfkCzJr4",
        "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",
    ];
    const SLACK_TOKENS: [&str; 3] = [
        "xoxb-590139624595-7117777412154-E1SkHbn88HxjSI6bWHtP3fS2",
        "xoxp-48525388853-9336338750-04743957551-737f6a6f0fb23c6f5da2cec255404e4f",
        "xoxa-528820018263-03nbqnsGpWLuqIA1id6Vw5DQL0",
    ];
    const SLACK_WEBHOOK_PATH: &str = "T706I8J76/BB2LAJLJ4/NUhJduRHHJEYXg4JdpmrcXgG";
    /// `{"alg":"HS256","typ":"JWT"}.{"sub":"agent-7","scope":"payments:write","exp":1767225600}`
    const JWT: &str = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJhZ2VudC03Iiwic2NvcGUiOiJwYXltZW50czp3cml0ZSIsImV4cCI6MTc2NzIyNTYwMH0.c48HwuTpEHFTnPmBm4MzsUZzgojOeoHxP7KF4ODx7UI";
    /// RS256 with a key id, a 64-byte signature.
    const JWT_RS256: &str = "eyJhbGciOiJSUzI1NiIsImtpZCI6ImstMjAyNC0wNiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJodHRwczovL2F1dGguYWNtZS1jb3JwLmlvIiwic3ViIjoidV84MTcyMyIsImF1ZCI6ImNvbnNvbGUifQ.7I_k8TPXciNqH2RxUBKrPW0SNqtNyB_lxifwt6SpXSRA4iP3dzi_8xhl4nwp_arVOSm0bv6DZ1ZrMltRF7hdBA";
    /// `{"alg":"none"}.{"sub":"agent-7"}.` (unsigned)
    const JWT_UNSIGNED: &str = "eyJhbGciOiJub25lIn0.eyJzdWIiOiJhZ2VudC03In0.";
    const KEY_BODY: &str = "MIIEvQIBADANBgkqhkiG9w0BAQEFAFaNdXC0BGJUhJ9Lg/UQHPzryTr44BoVQ0UK\n\
        58cuRcEh0WzZ6a3R8kJnJonrg5J+s1MWRw7MsC5s5RJE8ASiFs1CFZvbOBFD3B90\n\
        Alb+jWrt6kSfIQuGtT3wHPgpQwwuM+5PoE6HwjRKcoCsLUVYzQT+QAkDBLuBjfow\n\
        g3k+73IbqNGmbqh+i9XjZPiBTrA3+zpXMtXhtLqiI2f9WPsN1iEDEqC94UFuKQ4V";
    const BEARER: &str = "W_KFLf6xuI5aHUQPFeNBTxaQWk8J_zF_alHlsZfY";

    fn kinds(list: &[DataKind]) -> DataKinds {
        list.iter().copied().collect()
    }

    fn only(kind: DataKind) -> DataKinds {
        kinds(&[kind])
    }

    fn params(value: Value) -> Map<String, Value> {
        match value {
            Value::Object(map) => map,
            other => panic!("fixture is not an object: {other}"),
        }
    }

    /// The substrings each detection covers, in the order found.
    fn detections(text: &str) -> Vec<(DataKind, String)> {
        let mut found = Vec::new();
        detect(text, Context::default(), &mut |hit: Hit| {
            found.push((hit.kind, text[hit.start..hit.end].to_owned()))
        });
        found
    }

    fn assert_found(text: &str, kind: DataKind, secret: &str) {
        assert_eq!(
            detections(text),
            vec![(kind, secret.to_owned())],
            "in {text:?}"
        );
    }

    fn assert_clean(texts: &[&str]) {
        for text in texts {
            assert_eq!(scan_text(text), DataKinds::EMPTY, "in {text:?}");
            assert_eq!(mask_text(text), None, "in {text:?}");
        }
    }

    fn private_key(label: &str, body: &str) -> String {
        format!("-----BEGIN {label}-----\n{body}\n-----END {label}-----")
    }

    // --- The vocabulary ------------------------------------------------------

    #[test]
    fn every_kind_has_a_stable_name_a_label_and_a_class() {
        for kind in DataKind::ALL {
            assert_eq!(json!(kind), json!(kind.as_str()));
            assert!(!kind.label().is_empty());
        }
        let credentials: Vec<_> = DataKind::ALL
            .into_iter()
            .filter(|k| k.is_credential())
            .collect();
        assert_eq!(credentials.len(), 7);
        assert!(!DataKind::Email.is_credential() && !DataKind::PaymentCard.is_credential());
        assert_eq!(DataKind::AwsAccessKey.label(), "AWS access key");
    }

    #[test]
    fn data_kinds_is_a_set_listed_in_a_stable_order() {
        let mut set = DataKinds::EMPTY;
        assert!(set.is_empty() && set.iter().next().is_none());
        assert_eq!(set.len(), 0);
        set.insert(DataKind::Phone);
        set.insert(DataKind::AwsAccessKey);
        set.insert(DataKind::Phone);
        assert_eq!(set.len(), 2);
        assert!(set.contains(DataKind::Phone) && !set.contains(DataKind::Email));
        assert_eq!(
            set.iter().collect::<Vec<_>>(),
            [DataKind::AwsAccessKey, DataKind::Phone]
        );
        assert_eq!(set.iter().len(), 2);
        assert_eq!(set.union(only(DataKind::Email)).len(), 3);
        assert_eq!(format!("{set:?}"), "{AwsAccessKey, Phone}");
        assert_eq!(json!(set), json!(["aws_access_key", "phone"]));
        assert_eq!(
            serde_json::from_value::<DataKinds>(json!(["phone", "aws_access_key"])).ok(),
            Some(set)
        );
        let all: DataKinds = DataKind::ALL.into_iter().collect();
        assert_eq!(all.iter().collect::<Vec<_>>(), DataKind::ALL);
    }

    // --- Credentials ---------------------------------------------------------

    #[test]
    fn aws_access_keys_are_found_in_text_and_nested_parameters() {
        assert_found(AWS_KEY, DataKind::AwsAccessKey, AWS_KEY);
        assert_found(
            &format!("export AWS_ACCESS_KEY_ID={AWS_TEMPORARY_KEY}; aws s3 ls"),
            DataKind::AwsAccessKey,
            AWS_TEMPORARY_KEY,
        );
        let nested = params(json!({"steps": [{"env": {"id": AWS_KEY}}, "ok"]}));
        assert_eq!(scan(&nested), only(DataKind::AwsAccessKey));
    }

    #[test]
    fn aws_documented_example_and_placeholder_keys_are_not_keys() {
        assert_clean(&[
            "AKIAIOSFODNN7EXAMPLE",
            "aws_access_key_id = AKIAXXXXXXXXXXXXXXXX",
            "AKIAAAAAAAAAAAAAAAAA",
            "TODAYINASIAASACKOFRICEFELLOVER",
            "xAKIALALEMEL33243OLIB",
            "AKIALALEMEL33243OLIBX",
            "AKIALALEMEL33243OLI",
            "akialalemel33243olib",
        ]);
    }

    #[test]
    fn aws_secret_keys_need_a_name_that_says_so() {
        assert_found(
            &format!("AWS_SECRET_ACCESS_KEY={AWS_SECRET} aws s3 ls"),
            DataKind::AwsSecretKey,
            AWS_SECRET,
        );
        assert_found(
            &format!("aws.credentials(secret: '{AWS_SECRET}')"),
            DataKind::AwsSecretKey,
            AWS_SECRET,
        );
        let under_key = params(json!({"aws_secret_access_key": AWS_SECRET}));
        assert_eq!(scan(&under_key), only(DataKind::AwsSecretKey));
        let under_parents = params(json!({"aws": {"credentials": {"secret_key": [AWS_SECRET]}}}));
        assert_eq!(scan(&under_parents), only(DataKind::AwsSecretKey));
        let both = params(json!({"aws": {"key_id": AWS_KEY, "secret_key": AWS_SECRET}}));
        assert_eq!(
            scan(&both),
            kinds(&[DataKind::AwsAccessKey, DataKind::AwsSecretKey])
        );
    }

    #[test]
    fn forty_characters_of_base64_without_an_aws_name_are_not_a_secret_key() {
        assert_clean(&[
            AWS_SECRET,
            &format!("checksum={AWS_SECRET}"),
            // Named on an earlier line, or the name comes after.
            &format!("aws_secret_access_key=\n{AWS_SECRET}"),
            &format!("{AWS_SECRET} is not an aws key"),
            // AWS's documented example; a git SHA, which has no upper case.
            "aws_secret_access_key=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
            "aws secret key 9fceb02d0ae598e95dc970b74767f19372d61af8",
            // 39 and 41 characters; part of a longer base64 blob.
            &format!("aws secret {}", &AWS_SECRET[1..]),
            &format!("aws secret {AWS_SECRET}A"),
            &format!("aws secret {AWS_SECRET}=="),
        ]);
        let elsewhere = params(json!({"aws": {"region": "eu-west-1"}, "digest": AWS_SECRET}));
        assert_eq!(scan(&elsewhere), DataKinds::EMPTY);
    }

    #[test]
    fn github_tokens_of_every_prefix_are_found() {
        for token in GITHUB_TOKENS {
            assert_found(token, DataKind::GithubToken, token);
            assert_found(
                &format!("git clone https://{token}@github.com/acme/app.git"),
                DataKind::GithubToken,
                token,
            );
        }
        let listed = params(json!({"tokens": [[GITHUB_TOKENS[0]], {"ci": GITHUB_TOKENS[5]}]}));
        assert_eq!(scan(&listed), only(DataKind::GithubToken));
    }

    #[test]
    fn github_placeholders_and_near_misses_are_not_tokens() {
        assert_clean(&[
            "ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
            "github_pat_xxxxxxxxxxxxxxxxxxxxxx_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
            "ghp_YOURTOKENHEREabcdefghijklmnopqrstuvwx",
            "ghp_u8jzPde0IgxLd6GncfBAepfJBd0Kh8oOOL8",
            "myghp_u8jzPde0IgxLd6GncfBAepfJBd0Kh8oOOL8d",
            "ghx_u8jzPde0IgxLd6GncfBAepfJBd0Kh8oOOL8d",
            "use ghp_ tokens for the CLI",
        ]);
    }

    #[test]
    fn slack_tokens_and_webhooks_are_found() {
        for token in SLACK_TOKENS {
            assert_found(
                &format!(r#"{{"token": "{token}"}}"#),
                DataKind::SlackToken,
                token,
            );
        }
        let hook = format!(
            "curl -X POST https://hooks.slack.com/services/{SLACK_WEBHOOK_PATH} -d @msg.json"
        );
        assert_found(&hook, DataKind::SlackToken, SLACK_WEBHOOK_PATH);
        assert_eq!(
            mask_text(&hook).as_deref(),
            Some("curl -X POST https://hooks.slack.com/services/…[slack_token] -d @msg.json")
        );
    }

    #[test]
    fn slack_placeholders_and_short_ids_are_not_tokens() {
        // gitleaks' false positives for its Slack rules, and Slack's own
        // documented webhook placeholder.
        assert_clean(&[
            "xoxb-xxxxxxxxx-xxxxxxxxxx-xxxxxxxxxxxx",
            "xoxb-xxx",
            "xoxb-12345-abcd234",
            "xoxb-xoxb-my-bot-token",
            "xoxp-1234567890",
            "xoxp-XXXXXXXXXX-XXXXXXXXXX-XXXXXXXXXXX-XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX",
            "xoxp-1234-1234-1234-4ddbc191d40ee098cbaae6f3523ada2d",
            "xoxp-572370529330-573807301142-572331691188-####################",
            "xoxb-Slack_BOT_TOKEN",
            "https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX",
            "https://hooks.slack.com/services/",
        ]);
    }

    #[test]
    fn private_key_blocks_are_found_whole_truncated_or_escaped() {
        for label in [
            "PRIVATE KEY",
            "RSA PRIVATE KEY",
            "OPENSSH PRIVATE KEY",
            "PGP PRIVATE KEY BLOCK",
        ] {
            let key = private_key(label, KEY_BODY);
            assert_found(&format!("key: {key}\nthanks"), DataKind::PrivateKey, &key);
        }
        let cut = format!("-----BEGIN EC PRIVATE KEY-----\n{}", &KEY_BODY[..130]);
        assert_found(&format!("{cut}\" (truncated)"), DataKind::PrivateKey, &cut);
        // Pasted into JSON text, its newlines escaped once more.
        let escaped =
            private_key("RSA PRIVATE KEY", &KEY_BODY.replace('\n', "\\n")).replace('\n', "\\n");
        assert_found(
            &format!(r#"{{"pem":"{escaped}"}}"#),
            DataKind::PrivateKey,
            &escaped,
        );
        let encrypted = private_key(
            "RSA PRIVATE KEY",
            &format!("Proc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,3F2504E0\n\n{KEY_BODY}"),
        );
        assert_found(&encrypted, DataKind::PrivateKey, &encrypted);
    }

    #[test]
    fn key_headers_over_placeholders_and_public_keys_are_not_private_keys() {
        assert_clean(&[
            &private_key("PRIVATE KEY", "anything"),
            &private_key("RSA PRIVATE KEY", "MIIEpAIBAAKCAQEA...\n...\n"),
            "-----BEGIN OPENSSH PRIVATE KEY----------END OPENSSH PRIVATE KEY-----",
            &private_key("PRIVATE KEY", &"A".repeat(200)),
            &private_key("PRIVATE KEY", "<paste your key here>"),
            &private_key("PUBLIC KEY", KEY_BODY),
            &private_key("CERTIFICATE", KEY_BODY),
        ]);
    }

    #[test]
    fn jwts_are_found_signed_or_not() {
        for token in [JWT, JWT_RS256, JWT_UNSIGNED] {
            assert_found(token, DataKind::Jwt, token);
            assert_found(
                &format!("GET /api/v1/report?access_token={token}&page=2"),
                DataKind::Jwt,
                token,
            );
        }
        assert_found(&format!("session expired: {JWT}."), DataKind::Jwt, JWT);
    }

    #[test]
    fn base64_that_does_not_decode_to_a_jwt_is_not_one() {
        let (header, rest) = JWT.split_once('.').unwrap_or_default();
        assert_clean(&[
            // Header alone; header and payload without the second dot.
            header,
            &format!("{header}.{}", rest.split_once('.').unwrap_or_default().0),
            // A header without "alg" ({"typ":"JWT"}); a payload that is not an object.
            &format!("eyJ0eXAiOiJKV1QifQ.{rest}"),
            &format!("{header}.eyJzdWIiOiJhZ2VudC03Ig.sig"),
            // Lookalike text and jwt.io's documentation token.
            "eyJhbGciOiJIUzI1NiJ9eyJhbGciOiJIUzI1NiJ9.eyJuope.nope",
            "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c",
            // Inside a longer token.
            &format!("x{JWT}"),
        ]);
    }

    #[test]
    fn bearer_tokens_are_found_in_headers_and_curl_commands() {
        assert_found(
            &format!("Authorization: Bearer {BEARER}"),
            DataKind::BearerToken,
            BEARER,
        );
        let curl = format!(
            "curl -s -H 'Content-Type: application/json' -H 'Authorization: bearer {BEARER}' https://api.acme-corp.io/v1/charges"
        );
        assert_found(&curl, DataKind::BearerToken, BEARER);
        let headers = params(
            json!({"request": {"headers": [["Authorization", format!("Bearer {BEARER}")]]}}),
        );
        assert_eq!(scan(&headers), only(DataKind::BearerToken));
    }

    #[test]
    fn a_recognised_token_after_bearer_is_reported_as_what_it_is() {
        assert_found(&format!("Authorization: Bearer {JWT}"), DataKind::Jwt, JWT);
        assert_found(
            &format!("Authorization: Bearer {}", GITHUB_TOKENS[0]),
            DataKind::GithubToken,
            GITHUB_TOKENS[0],
        );
        assert_eq!(
            mask_text(&format!("Authorization: Bearer {JWT}")).as_deref(),
            Some("Authorization: Bearer eyJ…[jwt]")
        );
    }

    #[test]
    fn bearer_placeholders_variables_and_words_are_not_tokens() {
        assert_clean(&[
            "Authorization: Bearer XXXXXXXXXXXXXXXXXXXX",
            "Authorization: Bearer <token>",
            "Authorization: Bearer $API_KEY",
            "Authorization: Bearer ${{ secrets.TOKEN }}",
            "Authorization: Bearer $(gcloud auth print-access-token)",
            "Authorization: Bearer your-token-here",
            "Authorization: Bearer YOUR_ACCESS_TOKEN_123456",
            "Authorization: Bearer **********",
            "Authorization: Bearer abc123",
            "Authorization: Bearer token-for-the-staging-environment",
            "Authorization: Bearer abcdefghijklmnop1234",
            r#"{"token_type": "Bearer", "expires_in": 3600}"#,
            "the bearer of this letter",
            &format!("Bearer {}…", &BEARER[..30]),
        ]);
    }

    // --- Personal data -------------------------------------------------------

    #[test]
    fn payment_cards_of_each_network_are_found_with_or_without_separators() {
        for card in [
            "4111111111111111",    // Visa
            "4111 1111 1111 1111", // Visa, printed
            "4012-8888-8888-1881", // Visa, dashes
            "5555555555554444",    // Mastercard
            "2223003122003222",    // Mastercard, 2-series
            "378282246310005",     // American Express
            "3782 822463 10005",   // American Express, printed
            "6011111111111117",    // Discover
            "3530111333300000",    // JCB
            "30569309025904",      // Diners Club
            "6200000000000005",    // UnionPay
        ] {
            assert_found(
                &format!("card {card}, exp 12/27"),
                DataKind::PaymentCard,
                card,
            );
        }
        assert_found(
            "4111 1111 1111 1111 2027",
            DataKind::PaymentCard,
            "4111 1111 1111 1111",
        );
        let nested = params(json!({"order": {"payment": [{"pan": "5555 5555 5555 4444"}]}}));
        assert_eq!(scan(&nested), only(DataKind::PaymentCard));
    }

    #[test]
    fn luhn_invalid_and_unissued_numbers_are_not_cards() {
        assert_clean(&[
            "4111111111111112",
            "4111 1111 1111 1112",
            "0000000000000000",
            "1234567812345670", // Luhn-valid, no network starts with 1
            "9999999999999995",
            "1717245296789",        // a timestamp in milliseconds
            "41111111111111111111", // 20 digits
            "ORD-4111111111111111", // inside an identifier
            "x4111111111111111",
            "4111111111111111.50",  // a decimal
            "4111 1111-1111 1111",  // mixed separators
            "41111 1111 1111 1111", // first group not of four
            "12345",
        ]);
    }

    #[test]
    fn card_numbers_sent_as_json_numbers_are_found_and_masked() {
        let sent = params(
            json!({"card_number": 4111111111111111u64, "amount": 125000000000000u64, "ts": 1717245296789u64}),
        );
        assert_eq!(scan(&sent), only(DataKind::PaymentCard));
        let (masked, found) = mask(&sent);
        assert_eq!(found, only(DataKind::PaymentCard));
        assert_eq!(masked["card_number"], json!("…[payment_card]"));
        assert_eq!(masked["amount"], json!(125000000000000u64));
        assert_eq!(masked["ts"], json!(1717245296789u64));
    }

    #[test]
    fn emails_are_found_in_text_keys_and_lists() {
        assert_found(
            "jane.doe@acme-corp.io",
            DataKind::Email,
            "jane.doe@acme-corp.io",
        );
        assert_found(
            "To: <ops+alerts@mail.northwind.co.uk>, cc someone",
            DataKind::Email,
            "ops+alerts@mail.northwind.co.uk",
        );
        assert_found(
            "mailto:j_smith42@xn--bcher-kva.de.",
            DataKind::Email,
            "j_smith42@xn--bcher-kva.de",
        );
        assert_found(
            "https://crm.acme-corp.io/contacts?email=jane.doe@acme-corp.io&x=1",
            DataKind::Email,
            "jane.doe@acme-corp.io",
        );
        let keyed = params(
            json!({"recipients": {"jane.doe@acme-corp.io": "to", "list": ["bob@northwind.com"]}}),
        );
        assert_eq!(scan(&keyed), only(DataKind::Email));
    }

    #[test]
    fn things_with_an_at_sign_that_are_not_email_addresses() {
        assert_clean(&[
            "user at example dot com",
            "user@example.com",
            "noreply@mail.example.org",
            "admin@server.test",
            "icon@2x.png",
            "logo@3x.jpg",
            "git@github.com:acme/app.git",
            "https://deploy:hunter2@registry.acme-corp.io/v2/",
            "https://bot@hooks.acme-corp.io/",
            "npm install left-pad@1.3.0",
            "@acme/ui@2.1.0",
            "@app.route('/')",
            "follow @acme_corp",
            "jane@localhost",
            "jane@acme",
            "a@b.c",
            "jane.@acme-corp.io",
            "jane@acme-corp.io-",
        ]);
    }

    #[test]
    fn phone_numbers_in_international_and_national_forms() {
        for phone in [
            "+1 415 555 2671",
            "+1 (415) 555-2671",
            "+44 20 7946 0958",
            "+44 (0)20 7946 0958",
            "+442079460958",
            "+49 30 901820",
            "+33.1.23.45.67.89",
            "(415) 555-2671",
            "415-555-2671",
            "415.555.2671",
            "1-415-555-2671",
            "020 7946 0958",
            "07700 900123",
            "06 12 34 56 78",
        ] {
            assert_found(&format!("call {phone}, please"), DataKind::Phone, phone);
        }
        let nested = params(json!({"contact": [{"mobile": "+44 7700 900123"}]}));
        assert_eq!(scan(&nested), only(DataKind::Phone));
    }

    #[test]
    fn numbers_that_are_not_phone_numbers() {
        assert_clean(&[
            "4155552671",   // a bare run of digits: an id or a timestamp
            "1717245296",   // seconds since 1970
            "555-1234",     // a local number: too short to tell
            "123-456-7890", // no area code starts with 1
            "2024-06-01",
            "2024-06-01T12:34:56+02:00",
            "12:34:56",
            "192.168.100.200",
            "10.0.0.1",
            "1.2.3.4",
            "v10.15.7",
            "+1.2.3.4",
            "UTC+08:00",
            "ORD-415-555-2671",
            "00 1234 5678",
            "0123-4567-8912-3456", // four groups of four: neither a phone nor a card
            "+1234567",            // 7 digits
            "+1234567890123456",   // 16 digits
        ]);
    }

    #[test]
    fn identifiers_dates_and_hashes_are_not_sensitive() {
        assert_clean(&[
            "550e8400-e29b-41d4-a716-446655440000",
            "2024-06-01T12:34:56.789Z",
            "2024-06-01 12:34:56.123456+00:00",
            "9fceb02d0ae598e95dc970b74767f19372d61af8",
            "sha256:4bc453b53cb3d914b45f4b250294236adba2c0e09ff6f03793949e7e39fd4cc1",
            "1.2.3.4",
            "ORD-2024-000123",
            "order 20240601-000042",
            "INV-0000123456789",
            "build 20240601.1234567",
            "42",
            "deploy api-gateway to eu-west-1 at 10:30",
        ]);
        let realistic = params(json!({
            "request_id": "550e8400-e29b-41d4-a716-446655440000",
            "commit": "9fceb02d0ae598e95dc970b74767f19372d61af8",
            "at": "2024-06-01T12:34:56.789Z",
            "version": "1.2.3.4",
            "order": {"id": "ORD-2024-000123", "lines": [{"sku": "A-1001", "qty": 3}], "total": 129.95},
            "note": "Deploy the billing service after the 10:30 stand-up; see runbook §4.2.",
            "retries": 3,
            "created_ms": 1717245296789u64,
        }));
        assert_eq!(scan(&realistic), DataKinds::EMPTY);
        assert_eq!(mask(&realistic), (realistic.clone(), DataKinds::EMPTY));
    }

    // --- Masking -------------------------------------------------------------

    #[test]
    fn masks_keep_the_surrounding_text_and_at_most_a_fixed_marker() {
        let cases = [
            (
                format!("id={AWS_KEY};"),
                "id=AKIA…[aws_access_key];".to_owned(),
            ),
            (
                format!("token {}", GITHUB_TOKENS[1]),
                "token gho_…[github_token]".to_owned(),
            ),
            (
                format!("t={}", GITHUB_TOKENS[5]),
                "t=github_pat_…[github_token]".to_owned(),
            ),
            (
                format!("{} ok", SLACK_TOKENS[0]),
                "xoxb-…[slack_token] ok".to_owned(),
            ),
            (format!("jwt={JWT}"), "jwt=eyJ…[jwt]".to_owned()),
            (
                format!("Authorization: Bearer {BEARER}"),
                "Authorization: Bearer …[bearer_token]".to_owned(),
            ),
            (
                format!("key:\n{}\n", private_key("PRIVATE KEY", KEY_BODY)),
                "key:\n…[private_key]\n".to_owned(),
            ),
            (
                "pay 4111 1111 1111 1111 now".to_owned(),
                "pay …[payment_card] now".to_owned(),
            ),
            (
                "mail jane.doe@acme-corp.io.".to_owned(),
                "mail …[email].".to_owned(),
            ),
            (
                "call +1 (415) 555-2671 today".to_owned(),
                "call …[phone] today".to_owned(),
            ),
            (
                format!("AWS_SECRET_ACCESS_KEY={AWS_SECRET}"),
                "AWS_SECRET_ACCESS_KEY=…[aws_secret_key]".to_owned(),
            ),
        ];
        for (text, expected) in cases {
            assert_eq!(mask_text(&text), Some(expected), "masking {text:?}");
        }
    }

    #[test]
    fn mask_text_is_none_when_nothing_is_found() {
        assert_eq!(mask_text(""), None);
        assert_eq!(mask_text("nothing to see"), None);
    }

    #[test]
    fn masking_parameters_keeps_their_shape_and_masks_keys() {
        let sent = params(json!({
            "to": ["jane.doe@acme-corp.io", {"cc": "bob@northwind.com"}],
            "jane.doe@acme-corp.io": {"role": "owner"},
            "amount": 12.5,
            "flag": true,
            "none": null,
        }));
        let (masked, found) = mask(&sent);
        assert_eq!(found, only(DataKind::Email));
        assert_eq!(
            Value::Object(masked),
            json!({
                "to": ["…[email]", {"cc": "…[email]"}],
                "…[email]": {"role": "owner"},
                "amount": 12.5,
                "flag": true,
                "none": null,
            })
        );
    }

    #[test]
    fn masked_keys_that_collide_keep_every_value() {
        let sent = params(json!({
            "jane@acme-corp.io": 1,
            "bob@acme-corp.io": 2,
            "…[email]": 3,
        }));
        let (masked, _) = mask(&sent);
        assert_eq!(
            Value::Object(masked),
            json!({"…[email]": 3, "…[email] (2)": 2, "…[email] (3)": 1})
        );
    }

    #[test]
    fn a_secret_repeated_where_it_would_not_be_recognised_is_masked_too() {
        let sent = params(json!({
            "card": "4111 1111 1111 1111",
            "ref": "x4111 1111 1111 1111",
            "copy": 4111111111111111u64,
            "float": 4111111111111111.0,
            "digest": AWS_SECRET,
            "aws_secret_access_key": AWS_SECRET,
        }));
        let (masked, found) = mask(&sent);
        assert_eq!(
            found,
            kinds(&[DataKind::AwsSecretKey, DataKind::PaymentCard])
        );
        let written = serde_json::to_string(&masked).unwrap_or_default();
        assert!(!written.contains("4111 1111 1111 1111") && !written.contains("4111111111111111"));
        assert!(!written.contains(AWS_SECRET));
        assert_eq!(masked["ref"], json!("x…[payment_card]"));
        assert_eq!(masked["digest"], json!("…[aws_secret_key]"));
        assert_eq!(scan(&masked), DataKinds::EMPTY);
    }

    #[test]
    fn mask_reports_what_scan_finds() {
        let sent = params(json!({
            "cmd": format!("curl -H 'Authorization: Bearer {JWT}' https://api.acme-corp.io -d '{{\"email\":\"jane@acme-corp.io\"}}'"),
            "env": [format!("AWS_ACCESS_KEY_ID={AWS_KEY}"), format!("GITHUB_TOKEN={}", GITHUB_TOKENS[0])],
            "log": format!("2024-06-01T12:00:00Z posted to https://hooks.slack.com/services/{SLACK_WEBHOOK_PATH} for +44 20 7946 0958"),
        }));
        let expected = kinds(&[
            DataKind::AwsAccessKey,
            DataKind::GithubToken,
            DataKind::SlackToken,
            DataKind::Jwt,
            DataKind::Email,
            DataKind::Phone,
        ]);
        assert_eq!(scan(&sent), expected);
        let (masked, found) = mask(&sent);
        assert_eq!(found, expected);
        assert_eq!(scan(&masked), DataKinds::EMPTY);
        assert_eq!(
            masked["cmd"],
            json!("curl -H 'Authorization: Bearer eyJ…[jwt]' https://api.acme-corp.io -d '{\"email\":\"…[email]\"}'")
        );
    }

    #[test]
    fn the_last_resort_replaces_a_whole_string_by_its_first_mask() {
        assert_eq!(
            mask_whole(
                "pay 4111 1111 1111 1111, mail jane@acme-corp.io",
                Context::default()
            ),
            "…[payment_card]"
        );
        assert_eq!(
            mask_whole("nothing here", Context::default()),
            "nothing here"
        );
    }

    #[test]
    fn deep_nesting_is_walked_without_recursion() {
        let mut deep = json!({"email": "jane@acme-corp.io"});
        for level in 0..200 {
            deep = if level % 2 == 0 {
                json!([deep])
            } else {
                json!({"x": deep})
            };
        }
        let sent = params(json!({"deep": deep}));
        assert_eq!(scan(&sent), only(DataKind::Email));
        let (masked, found) = mask(&sent);
        assert_eq!(found, only(DataKind::Email));
        let written = serde_json::to_string(&masked).unwrap_or_default();
        assert!(written.contains("…[email]") && !written.contains("jane@"));
    }

    #[test]
    fn what_follows_a_branch_deeper_than_the_frames_kept_in_place_is_read() {
        // Seven levels down (past the four frames kept in place), then back
        // up: the entries after the deep branch are read at every level
        // (keys are kept in order: "later" comes after "d").
        let sent = params(json!({
            "a": {"b": {"c": {
                "d": {"e": {"f": {"g": "nothing here"}}},
                "later": "jane@acme-corp.io"
            }}},
            "z": "+44 7700 900123"
        }));
        let mut both = only(DataKind::Email);
        both.insert(DataKind::Phone);
        assert_eq!(scan(&sent), both);
        assert_eq!(mask(&sent).1, both);
    }

    /// Detected secrets are gone from the masked copy, and nothing is found in
    /// it, whatever surrounds them.
    #[cfg(not(target_arch = "wasm32"))]
    mod masking_invariant {
        use super::*;
        use proptest::prelude::*;
        use proptest::string::string_regex;

        fn pattern(regex: &str) -> BoxedStrategy<String> {
            match string_regex(regex) {
                Ok(strategy) => strategy.boxed(),
                Err(error) => panic!("bad pattern {regex}: {error}"),
            }
        }

        fn base64url(bytes: &[u8]) -> String {
            const ALPHABET: &[u8] =
                b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
            let mut out = String::new();
            for chunk in bytes.chunks(3) {
                let n = chunk
                    .iter()
                    .enumerate()
                    .fold(0u32, |n, (i, b)| n | u32::from(*b) << (16 - 8 * i));
                for i in 0..=chunk.len() {
                    out.push(char::from(ALPHABET[(n >> (18 - 6 * i) & 63) as usize]));
                }
            }
            out
        }

        fn with_check_digit(partial: &str) -> String {
            (b'0'..=b'9')
                .map(|d| format!("{partial}{}", char::from(d)))
                .find(|n| luhn_valid(n.as_bytes()))
                .unwrap_or_default()
        }

        fn secret() -> BoxedStrategy<String> {
            let jwt = (
                pattern("[a-z0-9-]{1,12}"),
                any::<u32>(),
                pattern("[A-Za-z0-9_-]{0,43}"),
            )
                .prop_map(|(sub, exp, signature)| {
                    let header = base64url(br#"{"alg":"HS256","typ":"JWT"}"#);
                    let payload = base64url(format!(r#"{{"sub":"{sub}","exp":{exp}}}"#).as_bytes());
                    format!("{header}.{payload}.{signature}")
                });
            let card = (
                pattern("4[0-9]{14}|5[1-5][0-9]{13}|3[47][0-9]{12}"),
                any::<bool>(),
            )
                .prop_map(|(partial, spaced)| {
                    let number = with_check_digit(&partial);
                    if spaced && number.len() == 16 {
                        number
                            .as_bytes()
                            .chunks(4)
                            .map(|c| String::from_utf8_lossy(c).into_owned())
                            .collect::<Vec<_>>()
                            .join(" ")
                    } else {
                        number
                    }
                });
            let key = (
                pattern("(RSA |EC |OPENSSH )?"),
                pattern("[A-Za-z0-9+/]{64}"),
                pattern("[A-Za-z0-9+/]{64}"),
            )
                .prop_map(|(label, a, b)| {
                    private_key(&format!("{label}PRIVATE KEY"), &format!("{a}\n{b}"))
                });
            prop_oneof![
                pattern("(AKIA|ASIA)[A-Z2-7]{16}"),
                pattern("AWS_SECRET_ACCESS_KEY=[A-Za-z0-9/+]{40}"),
                pattern("gh[pousr]_[A-Za-z0-9]{36}"),
                pattern("github_pat_[A-Za-z0-9_]{82}"),
                pattern("xox[abprs]-[0-9]{10,13}-[0-9]{10,13}-[A-Za-z0-9]{24}"),
                pattern("https://hooks\\.slack\\.com/services/T[A-Z0-9]{8}/B[A-Z0-9]{8}/[A-Za-z0-9]{24}"),
                key,
                jwt,
                pattern("[Bb]earer [A-Za-z0-9._~+/-]{16,48}"),
                card,
                pattern("[a-z][a-z0-9._+-]{0,12}@[a-z][a-z0-9-]{1,10}\\.(com|io|de|co\\.uk)"),
                pattern("\\+1 [2-9][0-9]{2} [2-9][0-9]{2} [0-9]{4}|\\([2-9][0-9]{2}\\) [2-9][0-9]{2}-[0-9]{4}|\\+44 20 [0-9]{4} [0-9]{4}"),
            ]
            .boxed()
        }

        /// Text that may itself hold digits, addresses, separators, masks
        /// and ellipses.
        fn around() -> BoxedStrategy<String> {
            pattern("([ -~]|\n|…|…\\[email\\]|aws|key|Bearer |@|-----){0,12}")
        }

        fn embedded() -> BoxedStrategy<String> {
            (around(), secret(), around(), secret(), around())
                .prop_map(|(a, s, b, t, c)| format!("{a}{s}{b}{t}{c}"))
                .boxed()
        }

        fn detected_in(parameters: &Map<String, Value>) -> Vec<String> {
            let mut found = Vec::new();
            walk(parameters, &mut |text, context| {
                detect(text, context, &mut |hit: Hit| {
                    found.push(text[hit.start..hit.end].to_owned())
                })
            });
            found
        }

        proptest! {
            #![proptest_config(ProptestConfig {
                cases: 512,
                // Failures are reported with their minimal input; none is kept on disk.
                failure_persistence: None,
                ..ProptestConfig::default()
            })]

            #[test]
            fn no_detected_secret_survives_masking(
                key in embedded(), first in embedded(), second in embedded(), third in embedded(),
                rounds in prop_oneof![Just(MASKING_ROUNDS), Just(0)],
            ) {
                let sent = params(json!({
                    "text": first,
                    "list": [second, {"aws": {"secret_key": third.clone()}}],
                    key.clone(): third,
                    "n": 4111111111111111u64,
                }));
                let detected = detected_in(&sent);
                // Without re-scanning, the last resort must keep the invariant alone.
                let (masked, found) = mask_in_rounds(&sent, rounds);
                prop_assert_eq!(found, scan(&sent));
                prop_assert_eq!(found.is_empty(), detected.is_empty());
                let written = serde_json::to_string(&masked).unwrap_or_default();
                for secret in &detected {
                    let escaped = serde_json::to_string(secret).unwrap_or_default();
                    prop_assert!(!written.contains(secret.as_str()), "{secret:?} left in {written}");
                    prop_assert!(!written.contains(escaped.trim_matches('"')), "{secret:?} left in {written}");
                }
                prop_assert_eq!(scan(&masked), DataKinds::EMPTY, "found again in {}", written);
            }

            #[test]
            fn the_prefilter_hides_nothing(text in embedded(), named in any::<bool>()) {
                let context = Context { aws: named, secret: named };
                let mut prefiltered = Vec::new();
                detect(&text, context, &mut |hit: Hit| prefiltered.push(hit));
                let mut exhaustive = Vec::new();
                detect_wanted(&text, context, u16::MAX, &mut |hit: Hit| exhaustive.push(hit));
                prop_assert_eq!(prefiltered, exhaustive);
            }

            #[test]
            fn a_secret_in_any_text_is_masked_in_that_text(
                text in embedded(),
                rounds in prop_oneof![Just(MASKING_ROUNDS), Just(0)],
            ) {
                let found = scan_text(&text);
                match mask_text_in_rounds(&text, rounds) {
                    None => prop_assert!(found.is_empty()),
                    Some(masked) => {
                        prop_assert!(!found.is_empty());
                        for (_, secret) in detections(&text) {
                            prop_assert!(!masked.contains(secret.as_str()), "{secret:?} left in {masked:?}");
                        }
                        prop_assert_eq!(scan_text(&masked), DataKinds::EMPTY, "found again in {:?}", masked);
                    }
                }
            }
        }
    }
}
