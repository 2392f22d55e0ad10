//! The JSON data model: [`Value`], [`Number`] and [`Object`].

use core::fmt;

/// The largest integer magnitude accepted as [`Number::Int`]: 2^53 − 1
/// (JavaScript's `Number.MAX_SAFE_INTEGER`).
pub const MAX_SAFE_INTEGER: i64 = (1 << 53) - 1;

/// A parsed JSON value.
///
/// Values produced by [`parse`](crate::parse) are at most
/// [`Limits::max_depth`](crate::Limits::max_depth) containers deep. Clone,
/// drop, `Debug` and `PartialEq` are recursive, so values built by hand should
/// stay within a few thousand levels as well (the canonicalizer itself is
/// iterative and has no depth limit).
///
/// Equality is JSON-semantic: numbers compare by value (see [`Number`]) and
/// objects regardless of member order (see [`Object`]).
#[derive(Clone, Debug, PartialEq, Default)]
pub enum Value {
    /// `null`.
    #[default]
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// A number; see [`Number`].
    Number(Number),
    /// A string (decoded; any Unicode scalar values, including U+0000).
    String(String),
    /// An array.
    Array(Vec<Value>),
    /// An object with unique keys, members in document order.
    Object(Object),
}

/// A JSON number.
///
/// The parser produces [`Number::Int`] for a literal without fraction and
/// exponent (always within ±(2^53 − 1); `-0` is `Int(0)`), and
/// [`Number::Float`] for a literal with a fraction or an exponent (always
/// finite).
///
/// Equality is numeric: `Int(1) == Float(1.0)` and `Float(-0.0) ==
/// Float(0.0)`, matching their equal canonical forms (`1`, `0`); the
/// variant is still visible by matching.
#[derive(Clone, Copy, Debug)]
pub enum Number {
    /// An integer with |n| ≤ 2^53 − 1.
    ///
    /// A hand-built `Int` outside that range is canonicalized as the IEEE
    /// double it rounds to (what RFC 8785 does with any number).
    Int(i64),
    /// A finite IEEE 754 double.
    ///
    /// A hand-built non-finite `Float` is canonicalized as `null`, as
    /// ECMAScript `JSON.stringify` does.
    Float(f64),
}

impl Number {
    /// `Some(Int(n))` if |n| ≤ 2^53 − 1, else `None`.
    pub fn from_i64(n: i64) -> Option<Number> {
        (-MAX_SAFE_INTEGER..=MAX_SAFE_INTEGER).contains(&n).then_some(Number::Int(n))
    }

    /// `Some(Float(f))` if `f` is finite, else `None`.
    pub fn from_f64(f: f64) -> Option<Number> {
        f.is_finite().then_some(Number::Float(f))
    }

    /// The integer, if this is an [`Number::Int`].
    pub fn as_i64(&self) -> Option<i64> {
        match *self {
            Number::Int(n) => Some(n),
            Number::Float(_) => None,
        }
    }

    /// The value as a double (exact for every `Int` the parser produces).
    pub fn as_f64(&self) -> f64 {
        match *self {
            Number::Int(n) => n as f64,
            Number::Float(f) => f,
        }
    }
}

/// 2^63 as a double (exact).
const TWO_POW_63: f64 = (1u64 << 63) as f64;

impl PartialEq for Number {
    fn eq(&self, other: &Number) -> bool {
        match (*self, *other) {
            (Number::Int(a), Number::Int(b)) => a == b,
            (Number::Float(a), Number::Float(b)) => a == b,
            (Number::Int(i), Number::Float(f)) | (Number::Float(f), Number::Int(i)) => {
                // 2^63 as f64 is exact; every integral f in range converts
                // to i64 exactly.
                f.fract() == 0.0 && (-TWO_POW_63..TWO_POW_63).contains(&f) && f as i64 == i
            }
        }
    }
}

impl Value {
    /// `true` if this is `null`.
    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    /// The boolean, if this is one.
    pub fn as_bool(&self) -> Option<bool> {
        match *self {
            Value::Bool(b) => Some(b),
            _ => None,
        }
    }

    /// The number, if this is one.
    pub fn as_number(&self) -> Option<&Number> {
        match self {
            Value::Number(n) => Some(n),
            _ => None,
        }
    }

    /// The integer, if this is a [`Number::Int`].
    pub fn as_i64(&self) -> Option<i64> {
        self.as_number().and_then(Number::as_i64)
    }

    /// The string, if this is one.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// The array, if this is one.
    pub fn as_array(&self) -> Option<&[Value]> {
        match self {
            Value::Array(a) => Some(a),
            _ => None,
        }
    }

    /// The object, if this is one.
    pub fn as_object(&self) -> Option<&Object> {
        match self {
            Value::Object(o) => Some(o),
            _ => None,
        }
    }

    /// The object, mutably, if this is one.
    pub fn as_object_mut(&mut self) -> Option<&mut Object> {
        match self {
            Value::Object(o) => Some(o),
            _ => None,
        }
    }

    /// A short English name of the kind of value ("null", "boolean",
    /// "number", "string", "array", "object"), for error messages.
    pub fn kind_name(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Bool(_) => "boolean",
            Value::Number(_) => "number",
            Value::String(_) => "string",
            Value::Array(_) => "array",
            Value::Object(_) => "object",
        }
    }
}

/// Writes the canonical (RFC 8785) form.
impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut buf = Vec::new();
        crate::canonicalize(self, &mut buf);
        f.write_str(&String::from_utf8_lossy(&buf))
    }
}

impl From<bool> for Value {
    fn from(b: bool) -> Value {
        Value::Bool(b)
    }
}

impl From<Number> for Value {
    fn from(n: Number) -> Value {
        Value::Number(n)
    }
}

impl From<String> for Value {
    fn from(s: String) -> Value {
        Value::String(s)
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Value {
        Value::String(s.to_owned())
    }
}

impl From<Vec<Value>> for Value {
    fn from(a: Vec<Value>) -> Value {
        Value::Array(a)
    }
}

impl From<Object> for Value {
    fn from(o: Object) -> Value {
        Value::Object(o)
    }
}

/// A JSON object: members in document (insertion) order, keys unique.
///
/// Lookups are linear scans, which is fastest for the small objects of
/// attestation documents. [`Object::insert`] is O(n) because it checks for
/// duplicates.
///
/// Equality ignores member order (JSON objects are unordered; the keys are
/// unique), so two objects are equal exactly when their canonical forms are.
#[derive(Clone, Default)]
pub struct Object {
    members: Vec<(String, Value)>,
}

/// Error of [`Object::insert`]: the key is already present.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DuplicateKey {
    /// The key that was already present.
    pub key: String,
}

impl fmt::Display for DuplicateKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("duplicate key ")?;
        crate::error::write_quoted(f, &self.key)
    }
}

impl std::error::Error for DuplicateKey {}

impl fmt::Debug for Object {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.members.iter().map(|(k, v)| (k, v))).finish()
    }
}

impl PartialEq for Object {
    fn eq(&self, other: &Object) -> bool {
        if self.members.len() != other.members.len() {
            return false;
        }
        if self.members.len() <= 16 {
            return self.members.iter().all(|(k, v)| other.get(k).is_some_and(|w| v == w));
        }
        let mut a: Vec<&(String, Value)> = self.members.iter().collect();
        let mut b: Vec<&(String, Value)> = other.members.iter().collect();
        a.sort_unstable_by(|x, y| x.0.cmp(&y.0));
        b.sort_unstable_by(|x, y| x.0.cmp(&y.0));
        a.iter().zip(&b).all(|(x, y)| x.0 == y.0 && x.1 == y.1)
    }
}

impl Object {
    /// An empty object.
    pub fn new() -> Object {
        Object { members: Vec::new() }
    }

    /// An empty object with room for `n` members.
    pub fn with_capacity(n: usize) -> Object {
        Object { members: Vec::with_capacity(n) }
    }

    /// The value of member `key`, if present.
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.members.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    /// The value of member `key`, mutably, if present.
    pub fn get_mut(&mut self, key: &str) -> Option<&mut Value> {
        self.members.iter_mut().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    /// `true` if a member named `key` is present.
    pub fn contains_key(&self, key: &str) -> bool {
        self.members.iter().any(|(k, _)| k == key)
    }

    /// The members in document (insertion) order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = (&str, &Value)> + '_ {
        self.members.iter().map(|(k, v)| (k.as_str(), v))
    }

    /// The keys in document (insertion) order.
    pub fn keys(&self) -> impl ExactSizeIterator<Item = &str> + '_ {
        self.members.iter().map(|(k, _)| k.as_str())
    }

    /// The number of members.
    pub fn len(&self) -> usize {
        self.members.len()
    }

    /// `true` if there are no members.
    pub fn is_empty(&self) -> bool {
        self.members.is_empty()
    }

    /// Appends a member; fails (leaving the object unchanged) if `key` is
    /// already present.
    pub fn insert(&mut self, key: String, v: Value) -> Result<(), DuplicateKey> {
        if self.contains_key(&key) {
            return Err(DuplicateKey { key });
        }
        self.members.push((key, v));
        Ok(())
    }

    /// Removes member `key` and returns its value; the order of the other
    /// members is kept.
    pub fn remove(&mut self, key: &str) -> Option<Value> {
        let i = self.members.iter().position(|(k, _)| k == key)?;
        Some(self.members.remove(i).1)
    }

    /// The members as a slice, in document (insertion) order.
    pub fn as_slice(&self) -> &[(String, Value)] {
        &self.members
    }

    /// The members as a vector, in document (insertion) order.
    pub fn into_vec(self) -> Vec<(String, Value)> {
        self.members
    }

    /// Wraps members whose keys the caller has checked to be unique.
    pub(crate) fn from_vec_unchecked(members: Vec<(String, Value)>) -> Object {
        Object { members }
    }
}

impl IntoIterator for Object {
    type Item = (String, Value);
    type IntoIter = std::vec::IntoIter<(String, Value)>;
    fn into_iter(self) -> Self::IntoIter {
        self.members.into_iter()
    }
}

impl TryFrom<Vec<(String, Value)>> for Object {
    type Error = DuplicateKey;
    /// Builds an object, failing on the first repeated key.
    fn try_from(members: Vec<(String, Value)>) -> Result<Object, DuplicateKey> {
        let mut o = Object::with_capacity(members.len());
        for (k, v) in members {
            o.insert(k, v)?;
        }
        Ok(o)
    }
}
