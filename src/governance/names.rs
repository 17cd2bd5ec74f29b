//! Canonical names and clean free text, checked once at the boundary.
//!
//! Everything the control plane files requests under, or shows as who acted,
//! is a *name*: agent ids, actors (reviewers, kill-switch operators, whoever
//! changes the configuration) and policy names. Action types are names with a
//! stricter, case-insensitive alphabet, because blocked and approval-required
//! lists compare them. Kill-switch reasons and reviewer comments are free text.
//!
//! Invariants:
//! - a name is trimmed, 1 to [`MAX_NAME_LEN`] characters (Unicode scalar
//!   values: every limit here counts and reports characters), and holds no
//!   control character, no invisible or formatting character (Unicode category
//!   Cf, the other default-ignorable code points, private-use characters, the
//!   replacement character) and no space other than U+0020, so what the audit
//!   trail shows is what was sent and two names that look alike are alike;
//! - names never start with `#`, which marks what the control plane records in
//!   place of a rejected name ([`INVALID_NAME_MARKER`]), so a rejected name can
//!   never be filed under a legitimate one;
//! - an action type is, after trimming, only ASCII letters, digits and
//!   `_ . : / -`, compared in lower case: `Deploy` and `deploy` are one type,
//!   and full-width or zero-width look-alikes are refused, not let through;
//! - free text holds no control characters (a comment may hold line breaks)
//!   and no bidirectional formatting characters, which could make it read
//!   differently from what it says.
//!
//! Problems name the offending character by code point, never by printing an
//! invisible character.

use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;

/// The longest agent id, action type, policy name or person's name accepted,
/// in characters.
pub const MAX_NAME_LEN: usize = 64;

/// What the audit trail shows in place of a rejected agent id or action type;
/// the reason carries the rejected text's [fingerprint](fingerprint).
pub const INVALID_NAME_MARKER: &str = "#invalid";

/// The punctuation an action type may contain besides letters and digits.
pub const ACTION_TYPE_PUNCTUATION: &str = "_.:/-";

/// Why a name, action type or text is not acceptable.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TextProblem {
    Empty,
    TooLong {
        chars: usize,
        max: usize,
    },
    /// A control character (category Cc).
    Control(char),
    /// An invisible or formatting character: category Cf, another
    /// default-ignorable code point, a private-use character or U+FFFD.
    Invisible(char),
    /// A space other than U+0020 (no-break, ideographic, line separator …).
    UnusualSpace(char),
    /// Action types contain no spaces.
    Space,
    /// A visible character outside the action-type alphabet.
    NotInActionAlphabet(char),
    /// Names may not start with `#`.
    LeadingHash,
}

impl fmt::Display for TextProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            TextProblem::Empty => f.write_str("must not be empty"),
            TextProblem::TooLong { chars, max } => {
                write!(f, "is {chars} characters long; the limit is {max}")
            }
            TextProblem::Control(c) => {
                write!(f, "contains {}, a control character", CodePoint(c))
            }
            TextProblem::Invisible(c) => write!(
                f,
                "contains {}, an invisible or formatting character",
                CodePoint(c)
            ),
            TextProblem::UnusualSpace(c) => write!(
                f,
                "contains {}, a space other than the ordinary space",
                CodePoint(c)
            ),
            TextProblem::Space => f.write_str("must not contain spaces"),
            TextProblem::NotInActionAlphabet(c) if c.is_ascii_graphic() => write!(
                f,
                "must not contain '{c}' (action types use letters a-z, digits and {ACTION_TYPE_PUNCTUATION})"
            ),
            TextProblem::NotInActionAlphabet(c) => write!(
                f,
                "must not contain {} (action types use letters a-z, digits and {ACTION_TYPE_PUNCTUATION})",
                CodePoint(c)
            ),
            TextProblem::LeadingHash => {
                f.write_str("must not start with '#', which marks rejected names")
            }
        }
    }
}

/// `U+200B`: how problems name a character without printing it.
struct CodePoint(char);

impl fmt::Display for CodePoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "U+{:04X}", self.0 as u32)
    }
}

/// Code points that render as nothing or only change how neighbouring text is
/// shown: Unicode category Cf and the other default-ignorable code points
/// (Unicode 16), plus private use and U+FFFD. The Cf ranges are checked
/// against the Unicode character database in this module's tests.
const INVISIBLE: &[(u32, u32)] = &[
    (0x00AD, 0x00AD), // soft hyphen
    (0x034F, 0x034F), // combining grapheme joiner
    (0x0600, 0x0605),
    (0x061C, 0x061C), // Arabic letter mark
    (0x06DD, 0x06DD),
    (0x070F, 0x070F),
    (0x0890, 0x0891),
    (0x08E2, 0x08E2),
    (0x115F, 0x1160), // Hangul fillers
    (0x17B4, 0x17B5),
    (0x180B, 0x180F), // Mongolian variation selectors and vowel separator
    (0x200B, 0x200F), // zero-width space, joiners, directional marks
    (0x202A, 0x202E), // bidirectional embeddings and overrides
    (0x2060, 0x206F), // word joiner, invisible operators, bidirectional isolates
    (0x3164, 0x3164), // Hangul filler
    (0xE000, 0xF8FF), // private use
    (0xFE00, 0xFE0F), // variation selectors
    (0xFEFF, 0xFEFF), // byte-order mark
    (0xFFA0, 0xFFA0), // half-width Hangul filler
    (0xFFF0, 0xFFFD), // interlinear annotations, object and replacement characters
    (0x110BD, 0x110BD),
    (0x110CD, 0x110CD),
    (0x13430, 0x1345F), // Egyptian hieroglyph format controls
    (0x1BCA0, 0x1BCA3),
    (0x1D173, 0x1D17A),
    (0xE0000, 0xE0FFF),  // tags and variation selectors supplement
    (0xF0000, 0x10FFFF), // supplementary private use
];

/// Whether `c` renders as nothing or changes how other text renders.
pub fn is_invisible(c: char) -> bool {
    let c = c as u32;
    INVISIBLE
        .binary_search_by(|&(low, high)| {
            if high < c {
                std::cmp::Ordering::Less
            } else if low > c {
                std::cmp::Ordering::Greater
            } else {
                std::cmp::Ordering::Equal
            }
        })
        .is_ok()
}

/// Characters that reorder the text around them.
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// The problem with one character of a name, if any.
fn character_problem(c: char) -> Option<TextProblem> {
    if c.is_control() {
        Some(TextProblem::Control(c))
    } else if is_invisible(c) {
        Some(TextProblem::Invisible(c))
    } else if c.is_whitespace() && c != ' ' {
        Some(TextProblem::UnusualSpace(c))
    } else {
        None
    }
}

fn check_length(text: &str, max: usize) -> Result<(), TextProblem> {
    // Count at most one past the limit: a megabyte-long name costs no more.
    let chars = text.chars().take(max + 1).count();
    if chars > max {
        Err(TextProblem::TooLong {
            chars: text.chars().count(),
            max,
        })
    } else {
        Ok(())
    }
}

/// An agent id, actor or policy name in its canonical form (trimmed), or why
/// it is not acceptable.
pub fn canonical_name(name: &str) -> Result<&str, TextProblem> {
    // The usual case, decided from the bytes alone: printable ASCII, no
    // space at either end, short enough, no leading `#`.
    let bytes = name.as_bytes();
    if let (Some(&first), Some(&last)) = (bytes.first(), bytes.last()) {
        if bytes.len() <= MAX_NAME_LEN
            && first != b' '
            && first != b'#'
            && last != b' '
            && bytes.iter().all(|b| (b' '..=b'~').contains(b))
        {
            return Ok(name);
        }
    }
    checked_name(name)
}

/// [`canonical_name`] character by character, for any text.
fn checked_name(name: &str) -> Result<&str, TextProblem> {
    let name = name.trim();
    if name.is_empty() {
        return Err(TextProblem::Empty);
    }
    check_length(name, MAX_NAME_LEN)?;
    // Printable ASCII (the usual case) has no character problem to look for.
    let printable = name.bytes().all(|b| (b' '..=b'~').contains(&b));
    if !printable {
        if let Some(problem) = name.chars().find_map(character_problem) {
            return Err(problem);
        }
    }
    if name.starts_with('#') {
        return Err(TextProblem::LeadingHash);
    }
    Ok(name)
}

/// An action type in its canonical form (trimmed, lower case), or why it is
/// not acceptable. Borrows when the name is already canonical.
pub fn canonical_action_type(name: &str) -> Result<Cow<'_, str>, TextProblem> {
    // The usual case, decided from the bytes alone: already canonical.
    let canonical_byte =
        |b: &u8| matches!(b, b'a'..=b'z' | b'0'..=b'9' | b'_' | b'.' | b':' | b'/' | b'-');
    if !name.is_empty() && name.len() <= MAX_NAME_LEN && name.as_bytes().iter().all(canonical_byte)
    {
        return Ok(Cow::Borrowed(name));
    }
    checked_action_type(name)
}

/// [`canonical_action_type`] character by character, for any text.
fn checked_action_type(name: &str) -> Result<Cow<'_, str>, TextProblem> {
    let name = name.trim();
    if name.is_empty() {
        return Err(TextProblem::Empty);
    }
    check_length(name, MAX_NAME_LEN)?;
    let in_alphabet = |c: char| c.is_ascii_alphanumeric() || ACTION_TYPE_PUNCTUATION.contains(c);
    if let Some(c) = name.chars().find(|&c| !in_alphabet(c)) {
        return Err(match character_problem(c) {
            Some(problem) => problem,
            None if c == ' ' => TextProblem::Space,
            None => TextProblem::NotInActionAlphabet(c),
        });
    }
    Ok(if name.bytes().any(|b| b.is_ascii_uppercase()) {
        Cow::Owned(name.to_ascii_lowercase())
    } else {
        Cow::Borrowed(name)
    })
}

/// Free text such as a kill-switch reason (one line) or a reviewer comment
/// (`multiline`): trimmed; at most `max` characters; no control characters
/// but line breaks in multiline text; no bidirectional formatting characters.
/// Empty text is returned as empty: whether it is required is the caller's
/// business.
pub fn clean_text(text: &str, max: usize, multiline: bool) -> Result<&str, TextProblem> {
    let text = text.trim();
    check_length(text, max)?;
    for c in text.chars() {
        if c.is_control() && !(multiline && c == '\n') {
            return Err(TextProblem::Control(c));
        }
        if is_bidi_control(c) {
            return Err(TextProblem::Invisible(c));
        }
    }
    Ok(text)
}

/// Whoever acts on the control plane: a reviewer, a kill-switch operator,
/// whoever changes the configuration. Always a canonical name.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Actor(Arc<str>);

impl Actor {
    pub fn new(name: &str) -> Result<Actor, TextProblem> {
        canonical_name(name).map(|name| Actor(Arc::from(name)))
    }

    pub fn name(&self) -> &Arc<str> {
        &self.0
    }
}

/// How an error message quotes rejected text: in quotes, with quotes,
/// backslashes, control characters, invisible characters and spaces other
/// than U+0020 escaped (`\u{200b}`), cut short when long. Written out rather
/// than `{:?}`, which would bring Unicode's printable tables into the wasm and
/// still leave unusual spaces unescaped.
pub fn quoted(text: &str) -> String {
    const SHOWN: usize = 64;
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars().take(SHOWN) {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if character_problem(c).is_some() => {
                out.push_str(&format!("\\u{{{:x}}}", c as u32));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    if text.chars().nth(SHOWN).is_some() {
        out.push('…');
    }
    out
}

/// A short, stable fingerprint of rejected text: the first four bytes of its
/// SHA-256 in hex. Recorded instead of the text, so repeated attempts can be
/// told apart and correlated without storing what was rejected.
pub fn fingerprint(text: &str) -> Fingerprint {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(text.as_bytes());
    Fingerprint(u32::from_be_bytes([
        digest[0], digest[1], digest[2], digest[3],
    ]))
}

/// See [`fingerprint`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Fingerprint(pub u32);

impl fmt::Display for Fingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:08x}", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_trimmed_at_either_end_whichever_path_decides() {
        for spelled in ["agent-7 ", " agent-7", "  agent-7  "] {
            assert_eq!(canonical_name(spelled), Ok("agent-7"), "{spelled:?}");
        }
        assert_eq!(
            canonical_action_type(" api_call "),
            Ok(Cow::Borrowed("api_call"))
        );
        assert_eq!(canonical_name("#ops"), Err(TextProblem::LeadingHash));
    }

    // proptest is a native dev-dependency only.
    #[cfg(not(target_arch = "wasm32"))]
    proptest::proptest! {
        /// The byte-level shortcuts decide exactly as the character checks.
        #[test]
        fn the_fast_paths_agree_with_the_character_checks(
            name in "[ a-zA-Z0-9_.:/#~!-]{0,70}|[ a-z\u{200b}\u{a0}\u{e9}\t-]{0,8}"
        ) {
            proptest::prop_assert_eq!(canonical_name(&name), checked_name(&name));
            proptest::prop_assert_eq!(canonical_action_type(&name), checked_action_type(&name));
        }
    }

    #[test]
    fn names_are_trimmed_and_must_be_short_visible_text() {
        assert_eq!(canonical_name("  a "), Ok("a"));
        assert_eq!(canonical_name("  "), Err(TextProblem::Empty));
        assert_eq!(
            canonical_name(&"é".repeat(65)).unwrap_err().to_string(),
            "is 65 characters long; the limit is 64"
        );
        // 64 two-byte characters are 64 characters, not 128.
        assert!(canonical_name(&"é".repeat(64)).is_ok());
        assert_eq!(
            canonical_name("a\u{7}b").unwrap_err().to_string(),
            "contains U+0007, a control character"
        );
        assert_eq!(
            canonical_name("ops\u{200B}").unwrap_err().to_string(),
            "contains U+200B, an invisible or formatting character"
        );
        assert_eq!(
            canonical_name("\u{202E}nimda").unwrap_err(),
            TextProblem::Invisible('\u{202E}')
        );
        assert_eq!(
            canonical_name("a\u{A0}b").unwrap_err(),
            TextProblem::UnusualSpace('\u{A0}')
        );
        assert_eq!(
            canonical_name("\u{3164}").unwrap_err(),
            TextProblem::Invisible('\u{3164}')
        );
        assert_eq!(
            canonical_name("#invalid").unwrap_err(),
            TextProblem::LeadingHash
        );
        assert_eq!(canonical_name("agent 7 (billing)"), Ok("agent 7 (billing)"));
    }

    #[test]
    fn action_types_have_one_canonical_spelling() {
        assert_eq!(
            canonical_action_type(" Deploy "),
            Ok(Cow::Borrowed("deploy"))
        );
        assert_eq!(canonical_action_type("DB_WRITE").unwrap(), "db_write");
        assert!(matches!(
            canonical_action_type("send_money"),
            Ok(Cow::Borrowed(_))
        ));
        assert_eq!(
            canonical_action_type("github.create-issue:v2/x").unwrap(),
            "github.create-issue:v2/x"
        );
        for look_alike in ["ｄｅｐｌｏｙ", "deploy\u{200B}", "de\u{AD}ploy", "dеploy"] {
            assert!(
                canonical_action_type(look_alike).is_err(),
                "{look_alike:?} must be refused"
            );
        }
        assert_eq!(
            canonical_action_type("db write").unwrap_err().to_string(),
            "must not contain spaces"
        );
        assert_eq!(
            canonical_action_type("*").unwrap_err().to_string(),
            "must not contain '*' (action types use letters a-z, digits and _.:/-)"
        );
        assert_eq!(
            canonical_action_type("ｄ").unwrap_err().to_string(),
            "must not contain U+FF44 (action types use letters a-z, digits and _.:/-)"
        );
        assert_eq!(
            canonical_action_type(&"x".repeat(65)),
            Err(TextProblem::TooLong { chars: 65, max: 64 })
        );
    }

    #[test]
    fn free_text_refuses_control_and_direction_characters() {
        assert_eq!(clean_text("  drill ", 10, false), Ok("drill"));
        assert_eq!(
            clean_text("line\nbreak", 100, false),
            Err(TextProblem::Control('\n'))
        );
        assert_eq!(clean_text("line\nbreak", 100, true), Ok("line\nbreak"));
        assert_eq!(
            clean_text("\u{1b}[2Jcleared", 100, true),
            Err(TextProblem::Control('\u{1b}'))
        );
        assert_eq!(
            clean_text("ok \u{2067}txet", 100, true),
            Err(TextProblem::Invisible('\u{2067}'))
        );
        // Emoji sequences with zero-width joiners are fine in free text.
        assert!(clean_text("👩\u{200D}💻 looks fine", 100, true).is_ok());
        assert_eq!(
            clean_text(&"ü".repeat(11), 10, true),
            Err(TextProblem::TooLong { chars: 11, max: 10 })
        );
    }

    #[test]
    fn quoting_escapes_what_cannot_be_seen_and_cuts_long_text() {
        assert_eq!(quoted("ops\u{200B}"), "\"ops\\u{200b}\"");
        assert_eq!(quoted("a\u{1b}[2J"), "\"a\\u{1b}[2J\"");
        assert_eq!(quoted(&"x".repeat(100)), format!("\"{}\"…", "x".repeat(64)));
        assert_eq!(quoted("a\"b\\c\nd\te"), r#""a\"b\\c\nd\te""#);
        assert_eq!(quoted("no\u{a0}break é"), "\"no\\u{a0}break é\"");
    }

    #[test]
    fn fingerprints_are_stable_and_short() {
        assert_eq!(fingerprint("abc").to_string(), "ba7816bf");
        assert_ne!(fingerprint("agent\u{200B}"), fingerprint("agent"));
    }

    #[test]
    fn the_invisible_table_is_sorted_and_disjoint() {
        for pair in INVISIBLE.windows(2) {
            assert!(pair[0].1 < pair[1].0, "{pair:x?}");
        }
        assert!(is_invisible('\u{FEFF}'));
        assert!(!is_invisible('a'));
    }

    /// Every format character (Cf) and private-use character in the Unicode
    /// database this build knows is in the table; the table's other entries
    /// are default-ignorable code points, fillers or unassigned.
    #[cfg(not(target_arch = "wasm32"))]
    #[test]
    fn the_invisible_table_covers_every_format_character() {
        use unicode_properties::{GeneralCategory, UnicodeGeneralCategory};
        for c in (0..=0x10FFFFu32).filter_map(char::from_u32) {
            let category = c.general_category();
            if matches!(
                category,
                GeneralCategory::Format | GeneralCategory::PrivateUse
            ) {
                assert!(is_invisible(c), "U+{:04X} ({category:?})", c as u32);
            }
            if is_invisible(c) {
                assert!(
                    !matches!(
                        category,
                        GeneralCategory::UppercaseLetter
                            | GeneralCategory::LowercaseLetter
                            | GeneralCategory::DecimalNumber
                            | GeneralCategory::MathSymbol
                            | GeneralCategory::OtherPunctuation
                    ),
                    "U+{:04X} is visible ({category:?})",
                    c as u32
                );
            }
        }
    }
}
