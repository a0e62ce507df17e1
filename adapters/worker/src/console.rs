//! The Workers side of the adapter that needs JavaScript: reading the `CORS_*` bindings, and
//! a minimal `tracing` subscriber that writes the core's log lines to the Workers console
//! (`wrangler dev`, `wrangler tail`, Workers Logs).

use std::collections::HashMap;
use std::fmt::{self, Write};
use std::sync::Mutex;

use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Level, Metadata, Subscriber};
use worker::js_sys::{Array, Object, Reflect};
use worker::wasm_bindgen::{JsCast, JsValue};
use worker::Env;

/// Every binding whose name starts with `CORS_`, as text: strings as they are, booleans and
/// numbers (TOML `true`, `7200`) written out, arrays (a TOML list of origins) joined with
/// commas. Unknown `CORS_` names are kept so validation can name them.
pub(crate) fn cors_bindings(env: &Env) -> Vec<(String, String)> {
    let object: &Object = env.unchecked_ref();
    Object::keys(object)
        .iter()
        .filter_map(|key| key.as_string())
        .filter(|key| preflight::vars::in_namespace(key))
        .map(|key| {
            let value =
                Reflect::get(object, &JsValue::from_str(&key)).unwrap_or(JsValue::UNDEFINED);
            (key, text(&value))
        })
        .collect()
}

fn text(value: &JsValue) -> String {
    if let Some(text) = value.as_string() {
        text
    } else if let Some(array) = value.dyn_ref::<Array>() {
        array
            .iter()
            .map(|item| text(&item))
            .collect::<Vec<_>>()
            .join(",")
    } else {
        // A number, a boolean, an object: written as JavaScript writes it (`600`, `true`), so
        // validation reads what wrangler.toml says and can quote it. (JavaScript formats the
        // number: Rust's float formatting would add 20 KB to the .wasm.)
        worker::js_sys::JSON::stringify(value)
            .map(String::from)
            .unwrap_or_default()
    }
}

/// Installs [`Console`] as the global subscriber, unless the Worker installed one.
pub(crate) fn install() {
    let _ = tracing::subscriber::set_global_default(Console::default());
}

/// A `tracing` subscriber that writes each event as one console line, with the fields of the
/// spans it happened in: `info`, `warn` and `error` from everywhere, `debug` from `preflight`.
#[derive(Default)]
struct Console {
    spans: Mutex<Spans>,
}

#[derive(Default)]
struct Spans {
    next: u64,
    fields: HashMap<u64, String>,
    current: Vec<u64>,
}

/// Collects an event's or a span's fields: the message apart, the others as `name=value`.
#[derive(Default)]
struct Fields {
    message: String,
    rest: String,
}

impl Visit for Fields {
    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "message" {
            self.message.push_str(value);
        } else {
            let _ = write!(self.rest, " {}={value}", field.name());
        }
    }

    fn record_f64(&mut self, field: &Field, value: f64) {
        // JavaScript writes the number: Rust's float formatting would add 20 KB to the .wasm.
        let text: String = worker::js_sys::Number::from(value)
            .to_string_with_radix(10)
            .map(String::from)
            .unwrap_or_default();
        self.record_str(field, &text);
    }

    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        if field.name() == "message" {
            let _ = write!(self.message, "{value:?}");
        } else {
            let _ = write!(self.rest, " {}={value:?}", field.name());
        }
    }
}

impl Subscriber for Console {
    fn enabled(&self, metadata: &Metadata<'_>) -> bool {
        let level = *metadata.level();
        level <= Level::INFO
            || (level == Level::DEBUG && metadata.target().starts_with("preflight"))
    }

    fn new_span(&self, attributes: &Attributes<'_>) -> Id {
        let mut fields = Fields::default();
        attributes.record(&mut fields);
        let mut spans = self.spans.lock().unwrap_or_else(|e| e.into_inner());
        spans.next += 1;
        let id = spans.next;
        let text = format!(
            "{}{{{}}}",
            attributes.metadata().name(),
            fields.rest.trim_start()
        );
        spans.fields.insert(id, text);
        Id::from_u64(id)
    }

    fn record(&self, _span: &Id, _values: &Record<'_>) {}

    fn record_follows_from(&self, _span: &Id, _follows: &Id) {}

    fn event(&self, event: &Event<'_>) {
        let mut fields = Fields::default();
        event.record(&mut fields);
        let spans = self.spans.lock().unwrap_or_else(|e| e.into_inner());
        let mut line = format!("{:>5} ", event.metadata().level());
        for id in &spans.current {
            if let Some(text) = spans.fields.get(id) {
                let _ = write!(line, "{text}: ");
            }
        }
        drop(spans);
        let _ = write!(
            line,
            "{}: {}{}",
            event.metadata().target(),
            fields.message,
            fields.rest
        );
        match *event.metadata().level() {
            Level::ERROR => worker::console_error!("{line}"),
            Level::WARN => worker::console_warn!("{line}"),
            _ => worker::console_log!("{line}"),
        }
    }

    fn enter(&self, span: &Id) {
        self.spans
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .current
            .push(span.into_u64());
    }

    fn exit(&self, span: &Id) {
        let mut spans = self.spans.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(at) = spans.current.iter().rposition(|id| *id == span.into_u64()) {
            spans.current.remove(at);
        }
    }

    fn try_close(&self, span: Id) -> bool {
        self.spans
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .fields
            .remove(&span.into_u64());
        true
    }
}
