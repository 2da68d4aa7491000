//! File names made from user-given names (variant names become plot file names).

/// A readable, file-name-safe version of a name: lower case ASCII letters, digits and `-`.
/// Norwegian letters are transliterated (æ → ae, ø → oe, å → aa), `+` becomes `plus` and a
/// minus sign before a number `minus`, so that "+1 ambulance" and "-1 ambulance", or "Ørsta"
/// and "Årsta", stay apart. Other characters become `-`. Two different names can still give
/// the same slug ("a b" and "a-b"): callers check for collisions.
pub fn file_slug(s: &str) -> String {
    let mut out = String::new();
    let push_word = |out: &mut String, w: &str| {
        if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
        out.push_str(w);
        out.push('-');
    };
    let chars: Vec<char> = s.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        let next_is_digit = chars.get(i + 1).is_some_and(|n| n.is_ascii_digit());
        let prev_is_alnum = i > 0 && chars[i - 1].is_alphanumeric();
        match c {
            'æ' | 'Æ' => out.push_str("ae"),
            'ø' | 'Ø' => out.push_str("oe"),
            'å' | 'Å' => out.push_str("aa"),
            'é' | 'è' | 'ê' | 'É' => out.push('e'),
            'ü' | 'Ü' => out.push('u'),
            'ö' | 'Ö' => out.push_str("oe"),
            'ä' | 'Ä' => out.push_str("ae"),
            '+' => push_word(&mut out, "plus"),
            '-' | '−' if next_is_digit && !prev_is_alnum => push_word(&mut out, "minus"),
            c if c.is_ascii_alphanumeric() => out.push(c.to_ascii_lowercase()),
            _ => {
                if !out.ends_with('-') {
                    out.push('-');
                }
            }
        }
    }
    out.trim_matches('-').to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_readable_and_keep_signs_and_letters_apart() {
        assert_eq!(
            file_slug("2030, +1 ambulance in Molde"),
            "2030-plus-1-ambulance-in-molde"
        );
        assert_ne!(file_slug("+1 ambulance"), file_slug("-1 ambulance"));
        assert_eq!(file_slug("-1 ambulance"), "minus-1-ambulance");
        assert_eq!(file_slug("Ørsta"), "oersta");
        assert_eq!(file_slug("Årsta"), "aarsta");
        assert_eq!(file_slug("satellites (pilot)"), "satellites-pilot");
        assert_eq!(
            file_slug("ambulances in Fjordby = 1"),
            "ambulances-in-fjordby-1"
        );
        assert_eq!(file_slug("Molde-Vestnes"), "molde-vestnes");
    }
}
