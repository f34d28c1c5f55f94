//! Open Badges "baked" badges: the credential carried inside the badge image
//! itself, as Open Badges 3.0 §"Baking" defines it — in a PNG, the text of an
//! `iTXt` chunk with keyword `openbadgecredential`; in an SVG, the content of
//! an `openbadges:credential` element (namespace
//! `https://purl.imsglobal.org/ob/v3p0`), or its `verify` attribute holding a
//! compact JWS. Learners receive and share badges this way, so the verifier
//! takes the credential out of the image and checks it as it would the file.
//!
//! Only the container is read here; nothing in the image is trusted: what
//! comes out goes through the same format sniffing, JSON parse and checks as
//! any other input.

use crate::format::Foreign;

/// What [`unbake`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unbaked {
    /// Not an image: the bytes are the document.
    NotAnImage,
    /// The credential baked into the image (JSON, or a compact JWS).
    Credential(Vec<u8>),
    /// An image that carries no credential this verifier reads (named).
    Foreign(Foreign),
}

const PNG_SIGNATURE: &[u8] = b"\x89PNG\r\n\x1a\n";
/// The namespace of the SVG element (Open Badges 3.0 §"Baking SVG").
const OB3_SVG_NAMESPACE: &str = "https://purl.imsglobal.org/ob/v3p0";

/// Takes the credential out of a baked PNG or SVG badge.
pub fn unbake(bytes: &[u8]) -> Unbaked {
    if bytes.starts_with(PNG_SIGNATURE) {
        return png(bytes);
    }
    let start = bytes
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(bytes.len());
    let text = bytes.get(start..).unwrap_or_default();
    let text = text.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(text);
    if text.first() == Some(&b'<') {
        if let Ok(text) = std::str::from_utf8(text) {
            if let Some(found) = svg(text) {
                return found;
            }
        }
    }
    Unbaked::NotAnImage
}

/// The chunks of a PNG: `(type, data)`, stopping at the first malformed one.
fn png_chunks(bytes: &[u8]) -> impl Iterator<Item = (&[u8], &[u8])> {
    let mut rest = bytes.get(PNG_SIGNATURE.len()..).unwrap_or_default();
    std::iter::from_fn(move || {
        let len = u32::from_be_bytes(rest.get(..4)?.try_into().ok()?);
        let len = usize::try_from(len).ok()?;
        let kind = rest.get(4..8)?;
        let end = 8usize.checked_add(len)?;
        let data = rest.get(8..end)?;
        // Length, type, data and a 4-byte CRC (a container check, not a signature:
        // the credential's own proof is what is verified).
        rest = rest.get(end.checked_add(4)?..)?;
        Some((kind, data))
    })
}

fn png(bytes: &[u8]) -> Unbaked {
    for (kind, data) in png_chunks(bytes) {
        if kind != b"iTXt" && kind != b"tEXt" && kind != b"zTXt" {
            continue;
        }
        let Some(nul) = data.iter().position(|b| *b == 0) else {
            continue;
        };
        let (keyword, rest) = (&data[..nul], &data[nul + 1..]);
        match keyword {
            b"openbadgecredential" if kind == b"iTXt" => {
                // compression flag, compression method, language tag\0, translated keyword\0, text
                let [flag, _method, rest @ ..] = rest else {
                    return Unbaked::Foreign(Foreign::BakedImage);
                };
                if *flag != 0 {
                    // Open Badges bakes the text uncompressed.
                    return Unbaked::Foreign(Foreign::BakedImage);
                }
                let mut parts = rest.splitn(3, |b| *b == 0);
                let (Some(_lang), Some(_translated), Some(text)) =
                    (parts.next(), parts.next(), parts.next())
                else {
                    return Unbaked::Foreign(Foreign::BakedImage);
                };
                return Unbaked::Credential(text.to_vec());
            }
            // Open Badges 2.0 bakes its assertion under this keyword.
            b"openbadges" => return Unbaked::Foreign(Foreign::OpenBadges2),
            _ => {}
        }
    }
    Unbaked::Foreign(Foreign::BakedImage)
}

/// An SVG badge: `None` when the XML is not an SVG (left to the format sniffing).
fn svg(text: &str) -> Option<Unbaked> {
    let head: String = text.chars().take(4096).collect();
    if !head.contains("<svg") {
        return None;
    }
    // The element's prefix is whatever the document binds to the namespace.
    let prefix = text
        .match_indices(&format!("=\"{OB3_SVG_NAMESPACE}\""))
        .chain(text.match_indices(&format!("='{OB3_SVG_NAMESPACE}'")))
        .find_map(|(at, _)| {
            let before = &text[..at];
            let decl = before.rfind("xmlns:")?;
            let name = before[decl + "xmlns:".len()..].trim();
            (!name.is_empty()
                && name
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-'))
            .then(|| name.to_owned())
        });
    let Some(prefix) = prefix else {
        if text.contains("xmlns:openbadges=\"http://openbadges.org\"") {
            return Some(Unbaked::Foreign(Foreign::OpenBadges2));
        }
        return Some(Unbaked::Foreign(Foreign::BakedImage));
    };
    let open = format!("<{prefix}:credential");
    let Some(at) = text.find(&open) else {
        return Some(Unbaked::Foreign(Foreign::BakedImage));
    };
    let element = &text[at + open.len()..];
    let Some(tag_end) = element.find('>') else {
        return Some(Unbaked::Foreign(Foreign::BakedImage));
    };
    let attributes = &element[..tag_end];
    if let Some(jws) = attribute(attributes, "verify") {
        return Some(Unbaked::Credential(jws.into_bytes()));
    }
    if attributes.trim_end().ends_with('/') {
        return Some(Unbaked::Foreign(Foreign::BakedImage));
    }
    let body = &element[tag_end + 1..];
    let Some(close) = body.find(&format!("</{prefix}:credential>")) else {
        return Some(Unbaked::Foreign(Foreign::BakedImage));
    };
    let body = body[..close].trim();
    let content = match body
        .strip_prefix("<![CDATA[")
        .and_then(|b| b.strip_suffix("]]>"))
    {
        Some(cdata) => cdata.to_owned(),
        None => unescape(body),
    };
    Some(Unbaked::Credential(content.into_bytes()))
}

/// The value of attribute `name` in a start tag's attribute text.
fn attribute(attributes: &str, name: &str) -> Option<String> {
    let mut rest = attributes;
    while let Some(at) = rest.find(name) {
        let before_ok = at == 0 || rest.as_bytes()[at - 1].is_ascii_whitespace();
        let after = rest[at + name.len()..].trim_start();
        if before_ok {
            if let Some(value) = after.strip_prefix('=') {
                let value = value.trim_start();
                let quote = value.chars().next().filter(|q| *q == '"' || *q == '\'')?;
                let value = &value[1..];
                let end = value.find(quote)?;
                return Some(unescape(&value[..end]));
            }
        }
        rest = &rest[at + name.len()..];
    }
    None
}

/// The five predefined XML entities (a baked credential outside CDATA has its
/// `<`, `&` and quotes escaped).
fn unescape(text: &str) -> String {
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&amp;", "&")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chunk(kind: &[u8], data: &[u8]) -> Vec<u8> {
        let mut c = (data.len() as u32).to_be_bytes().to_vec();
        c.extend_from_slice(kind);
        c.extend_from_slice(data);
        c.extend_from_slice(&[0, 0, 0, 0]);
        c
    }

    fn png_with(chunks: &[Vec<u8>]) -> Vec<u8> {
        let mut png = PNG_SIGNATURE.to_vec();
        png.extend(chunk(b"IHDR", &[0; 13]));
        for c in chunks {
            png.extend_from_slice(c);
        }
        png.extend(chunk(b"IEND", &[]));
        png
    }

    #[test]
    fn png_badges_give_their_credential() {
        let itxt = chunk(b"iTXt", b"openbadgecredential\0\0\0\0\0{\"a\":1}");
        let png = png_with(&[chunk(b"tEXt", b"date:create\x002021"), itxt]);
        assert_eq!(unbake(&png), Unbaked::Credential(b"{\"a\":1}".to_vec()));
        // Compressed, absent, Open Badges 2.0, truncated: named, never a panic.
        let compressed = chunk(b"iTXt", b"openbadgecredential\0\x01\0\0\0x\x9c");
        assert_eq!(
            unbake(&png_with(&[compressed])),
            Unbaked::Foreign(Foreign::BakedImage)
        );
        assert_eq!(
            unbake(&png_with(&[])),
            Unbaked::Foreign(Foreign::BakedImage)
        );
        let ob2 = chunk(b"iTXt", b"openbadges\0\0\0\0\0{}");
        assert_eq!(
            unbake(&png_with(&[ob2])),
            Unbaked::Foreign(Foreign::OpenBadges2)
        );
        let full = png_with(&[chunk(b"iTXt", b"openbadgecredential\0\0\0\0\0{}")]);
        for cut in 0..full.len() {
            let _ = unbake(&full[..cut]);
        }
        let mut huge = png_with(&[]);
        huge.splice(8..12, u32::MAX.to_be_bytes());
        assert_eq!(unbake(&huge), Unbaked::Foreign(Foreign::BakedImage));
    }

    #[test]
    fn svg_badges_give_their_credential() {
        let svg = |inner: &str| {
            format!(
                "<?xml version=\"1.0\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\" \
                 xmlns:ob=\"{OB3_SVG_NAMESPACE}\">{inner}<circle r=\"1\"/></svg>"
            )
        };
        let cdata = svg("<ob:credential>\n <![CDATA[ {\"a\": \"<b>\"} ]]>\n</ob:credential>");
        assert_eq!(
            unbake(cdata.as_bytes()),
            Unbaked::Credential(br#" {"a": "<b>"} "#.to_vec())
        );
        let escaped = svg("<ob:credential>{&quot;a&quot;: &quot;&lt;b&gt;&quot;}</ob:credential>");
        assert_eq!(
            unbake(escaped.as_bytes()),
            Unbaked::Credential(br#"{"a": "<b>"}"#.to_vec())
        );
        let jws = svg("<ob:credential verify=\"eyJ.eyJ.c2ln\"/>");
        assert_eq!(
            unbake(jws.as_bytes()),
            Unbaked::Credential(b"eyJ.eyJ.c2ln".to_vec())
        );
        assert_eq!(
            unbake(svg("").as_bytes()),
            Unbaked::Foreign(Foreign::BakedImage)
        );
        let plain = "<svg xmlns=\"http://www.w3.org/2000/svg\"></svg>";
        assert_eq!(
            unbake(plain.as_bytes()),
            Unbaked::Foreign(Foreign::BakedImage)
        );
        // Other XML, JSON and tokens are not images.
        for other in ["<europassCredential/>", "{\"a\":1}", "eyJ.eyJ.c2ln", ""] {
            assert_eq!(unbake(other.as_bytes()), Unbaked::NotAnImage, "{other}");
        }
        let s = svg("<ob:credential>{}</ob:credential>");
        for cut in 0..s.len() {
            if s.is_char_boundary(cut) {
                let _ = unbake(&s.as_bytes()[..cut]);
            }
        }
    }
}
