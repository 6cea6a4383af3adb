//! The two places a dying process hands control to the recorder.
//!
//! * `__sanitizer_report_error_summary`: the sanitizer runtimes (ASan, MSan, UBSan, LSan) call
//!   this weak hook with the `SUMMARY:` line at the end of every report. Defining it keeps
//!   libFuzzer's own death callback in place, so the crash artifact is still written (installing
//!   `__sanitizer_set_death_callback` would replace it and lose the artifact). Defining it also
//!   silences the runtime's own SUMMARY line, so it is printed here first.
//! * The panic hook, chained in front of the one libfuzzer-sys installs (which aborts).

use std::ffi::{c_char, CStr};
use std::io::Write as _;
use std::sync::Once;

use crate::block::print_block;

/// Receives the SUMMARY line of a sanitizer report; prints it, then the boundary block.
///
/// # Safety
/// Called by the sanitizer runtime with a NUL-terminated string or null.
#[no_mangle]
pub unsafe extern "C" fn __sanitizer_report_error_summary(summary: *const c_char) {
    if !summary.is_null() {
        // SAFETY: the runtime passes a NUL-terminated string.
        let text = unsafe { CStr::from_ptr(summary) };
        let mut err = std::io::stderr().lock();
        let _ = err.write_all(text.to_bytes());
        let _ = err.write_all(b"\n");
    }
    print_block("sanitizer");
}

/// Installs the panic hook once per process and keeps the sanitizer hook linked in.
pub(crate) fn install() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let hook: unsafe extern "C" fn(*const c_char) = __sanitizer_report_error_summary;
        std::hint::black_box(hook);
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            print_block("panic");
            previous(info);
        }));
    });
}
