//! Writing documents: members in insertion order, two-space indent, strings
//! and numbers exactly as RFC 8785 writes them (so a pretty document and its
//! canonical form differ only in whitespace and member order).

use attest_json::{Number, Object, Value};

/// Pretty-prints a value followed by a newline.
pub fn to_pretty(v: &Value) -> String {
    let mut out = String::new();
    write(v, 0, &mut out);
    out.push('\n');
    out
}

fn write(v: &Value, indent: usize, out: &mut String) {
    match v {
        Value::Array(items) if !items.is_empty() => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                newline(indent + 1, out);
                write(item, indent + 1, out);
            }
            newline(indent, out);
            out.push(']');
        }
        Value::Object(o) if !o.is_empty() => {
            out.push('{');
            for (i, (k, item)) in o.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                newline(indent + 1, out);
                out.push_str(&attest_json::to_canonical_string(&Value::String(k.to_string())));
                out.push_str(": ");
                write(item, indent + 1, out);
            }
            newline(indent, out);
            out.push('}');
        }
        other => out.push_str(&attest_json::to_canonical_string(other)),
    }
}

fn newline(indent: usize, out: &mut String) {
    out.push('\n');
    for _ in 0..indent {
        out.push_str("  ");
    }
}

/// Builds a JSON object from members in order (later duplicates replace earlier ones).
#[derive(Debug, Default, Clone)]
pub struct ObjectBuilder(Object);

impl ObjectBuilder {
    /// An empty object.
    pub fn new() -> Self {
        Self(Object::new())
    }
    /// Sets a member (replacing an existing one in place of order).
    pub fn set(mut self, key: &str, v: impl Into<Value>) -> Self {
        set(&mut self.0, key, v.into());
        self
    }
    /// Sets a member when `Some`.
    pub fn set_opt(self, key: &str, v: Option<impl Into<Value>>) -> Self {
        match v {
            Some(v) => self.set(key, v),
            None => self,
        }
    }
    /// The object.
    pub fn build(self) -> Object {
        self.0
    }
    /// The object as a value.
    pub fn value(self) -> Value {
        Value::Object(self.0)
    }
}

/// Sets `key` in `o` (replacing an existing member).
pub fn set(o: &mut Object, key: &str, v: Value) {
    if let Some(slot) = o.get_mut(key) {
        *slot = v;
    } else {
        let _ = o.insert(key.to_string(), v);
    }
}

/// A string value.
pub fn s(v: impl Into<String>) -> Value {
    Value::String(v.into())
}

/// An integer value (|n| ≤ 2^53−1 in all our documents).
pub fn int(n: u64) -> Value {
    Value::Number(Number::Int(n as i64))
}
