//! A YAML document as a small tree that keeps each node's line and CloudFormation's short
//! tags (`!Ref`, `!Sub`, `!If`, ...), which general YAML loaders drop or refuse.

use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::Marker;

/// A node and the line it starts on (1-based).
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    /// 1-based line.
    pub line: usize,
    /// The CloudFormation function of a short tag (`Ref` for `!Ref`), if any.
    pub tag: Option<String>,
    /// The content.
    pub kind: Kind,
}

/// A node's content.
#[derive(Debug, Clone, PartialEq)]
pub enum Kind {
    /// A scalar, as written (quotes removed).
    Scalar(String),
    /// A sequence.
    Seq(Vec<Node>),
    /// A mapping, in order.
    Map(Vec<(String, Node)>),
}

impl Node {
    /// The value under `key` in a mapping; `Fn::If` style long forms are left as mappings.
    pub fn get(&self, key: &str) -> Option<&Node> {
        match &self.kind {
            Kind::Map(entries) => entries.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// A path of keys.
    pub fn at(&self, path: &[&str]) -> Option<&Node> {
        path.iter().try_fold(self, |node, key| node.get(key))
    }

    /// The scalar text, if this is an untagged scalar.
    pub fn text(&self) -> Option<&str> {
        match (&self.kind, &self.tag) {
            (Kind::Scalar(s), None) => Some(s),
            _ => None,
        }
    }

    /// The scalar text whatever the tag (`!Sub "..."` gives the template string).
    pub fn text_any(&self) -> Option<&str> {
        match &self.kind {
            Kind::Scalar(s) => Some(s),
            _ => None,
        }
    }

    /// The mapping's entries (empty for other kinds).
    pub fn entries(&self) -> &[(String, Node)] {
        match &self.kind {
            Kind::Map(entries) => entries,
            _ => &[],
        }
    }

    /// The sequence's items (empty for other kinds).
    pub fn items(&self) -> &[Node] {
        match &self.kind {
            Kind::Seq(items) => items,
            _ => &[],
        }
    }

    /// A JSON value as a tree, every node on line 1 (for JSON the YAML reader refuses).
    pub fn from_json(value: &serde_json::Value) -> Node {
        use serde_json::Value;
        let kind = match value {
            Value::Array(items) => Kind::Seq(items.iter().map(Node::from_json).collect()),
            Value::Object(map) => Kind::Map(
                map.iter()
                    .map(|(k, v)| (k.clone(), Node::from_json(v)))
                    .collect(),
            ),
            Value::String(s) => Kind::Scalar(s.clone()),
            other => Kind::Scalar(other.to_string()),
        };
        Node {
            line: 1,
            tag: None,
            kind,
        }
    }

    /// The reference this node makes: `!Ref X` or `{Ref: X}`.
    pub fn reference(&self) -> Option<&str> {
        match (&self.kind, self.tag.as_deref()) {
            (Kind::Scalar(name), Some("Ref")) => Some(name),
            _ => self.get("Ref").and_then(Node::text),
        }
    }
}

enum Frame {
    Seq(usize, Option<String>, Vec<Node>),
    /// line, tag, entries, the pending key and its line.
    Map(
        usize,
        Option<String>,
        Vec<(String, Node)>,
        Option<String>,
        usize,
    ),
}

struct Builder {
    stack: Vec<Frame>,
    root: Option<Node>,
}

impl Builder {
    fn push(&mut self, node: Node) {
        match self.stack.last_mut() {
            None => {
                if self.root.is_none() {
                    self.root = Some(node);
                }
            }
            Some(Frame::Seq(_, _, items)) => items.push(node),
            Some(Frame::Map(_, _, entries, key, key_line)) => match key.take() {
                None => {
                    *key_line = node.line;
                    // A key: only scalars are used as keys in templates.
                    *key = Some(match node.kind {
                        Kind::Scalar(s) => s,
                        _ => String::new(),
                    });
                }
                Some(k) => {
                    // A block mapping or sequence starts on the line after its key; point at
                    // the key, where a reader looks.
                    let node = match node.kind {
                        Kind::Scalar(_) => node,
                        _ => Node {
                            line: *key_line,
                            ..node
                        },
                    };
                    entries.push((k, node));
                }
            },
        }
    }
}

fn tag_name(tag: Option<yaml_rust2::parser::Tag>) -> Option<String> {
    tag.filter(|t| t.handle == "!").map(|t| t.suffix)
}

impl MarkedEventReceiver for Builder {
    fn on_event(&mut self, event: Event, mark: Marker) {
        let line = mark.line();
        match event {
            Event::Scalar(value, _, _, tag) => self.push(Node {
                line,
                tag: tag_name(tag),
                kind: Kind::Scalar(value),
            }),
            Event::SequenceStart(_, tag) => {
                self.stack.push(Frame::Seq(line, tag_name(tag), Vec::new()))
            }
            Event::MappingStart(_, tag) => {
                self.stack
                    .push(Frame::Map(line, tag_name(tag), Vec::new(), None, line))
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let node = match self.stack.pop() {
                    Some(Frame::Seq(line, tag, items)) => Node {
                        line,
                        tag,
                        kind: Kind::Seq(items),
                    },
                    Some(Frame::Map(line, tag, entries, _, _)) => Node {
                        line,
                        tag,
                        kind: Kind::Map(entries),
                    },
                    None => return,
                };
                self.push(node);
            }
            _ => {}
        }
    }
}

/// Parses the first document of `text`; `Err` is the parser's message with the line.
pub fn parse(text: &str) -> Result<Node, String> {
    let mut builder = Builder {
        stack: Vec::new(),
        root: None,
    };
    Parser::new_from_str(text)
        .load(&mut builder, false)
        .map_err(|e| e.to_string())?;
    builder.root.ok_or_else(|| "the file is empty".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_lines_and_short_tags() {
        let doc = parse("A:\n  B: !Ref X\n  C:\n    - !Sub \"'${Y}'\"\n    - plain\n").unwrap();
        let b = doc.at(&["A", "B"]).unwrap();
        assert_eq!((b.line, b.reference()), (2, Some("X")));
        let c = doc.at(&["A", "C"]).unwrap();
        assert_eq!(c.items()[0].tag.as_deref(), Some("Sub"));
        assert_eq!(c.items()[0].line, 4);
        assert_eq!(c.line, 3, "a block value points at its key");
        assert_eq!(c.items()[1].text(), Some("plain"));
    }
}
