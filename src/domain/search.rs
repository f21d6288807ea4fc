//! Finding a person or a place by typing a few characters: part of the name (`主任`), or the pinyin initials of
//! its characters (`lzr` for 李主任, `jxl` for 教学楼). The initials are worked out on the server (the pinyin
//! table stays off the phone) and travel with the rows; matching runs wherever the list is shown.

/// The pinyin initials of `text`, lower case: one letter per Chinese character, letters and digits as they are,
/// everything else left out. `教学楼A · 2F` gives `jxla2f`.
#[cfg(feature = "ssr")]
pub fn initials(text: &str) -> String {
    use pinyin::ToPinyin;
    text.chars()
        .filter_map(|c| match c.to_pinyin() {
            Some(reading) => reading.first_letter().chars().next(),
            None if c.is_ascii_alphanumeric() => Some(c.to_ascii_lowercase()),
            None => None,
        })
        .collect()
}

/// Whether what was typed finds this entry: an empty query finds everything; otherwise each word typed (split at
/// spaces) is in the name, ignoring case, or in its initials. `jxl 103` finds 教学楼A · 1F · 103教室.
pub fn matches(query: &str, name: &str, initials: &str) -> bool {
    let name = name.to_lowercase();
    query.split_whitespace().all(|word| {
        let word = word.to_lowercase();
        name.contains(&word) || initials.contains(&word)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(feature = "ssr")]
    #[test]
    fn initials_take_one_letter_per_character() {
        assert_eq!(initials("李主任"), "lzr");
        assert_eq!(initials("教学楼A · 2F · 201教室"), "jxla2f201js");
        assert_eq!(initials("刘同学(文明监督岗)"), "ltxwmjdg");
        assert_eq!(initials(""), "");
    }

    #[test]
    fn a_query_finds_by_name_or_initials() {
        assert!(matches("", "李主任", "lzr"));
        assert!(matches("主任", "李主任", "lzr"));
        assert!(matches("LZR", "李主任", "lzr"));
        assert!(matches("jxl", "教学楼A · 2F · 201教室", "jxla2f201js"));
        assert!(matches("2f 201", "教学楼A · 2F · 201教室", "jxla2f201js"));
        assert!(matches("jxl 201", "教学楼A · 2F · 201教室", "jxla2f201js"));
        assert!(!matches("jxl 301", "教学楼A · 2F · 201教室", "jxla2f201js"));
        assert!(!matches("王", "李主任", "lzr"));
        assert!(!matches("wsf", "李主任", "lzr"));
    }
}
