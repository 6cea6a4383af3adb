//! The boundary recorder sees what a call carries in its struct fields: deflate's input and
//! output travel in the z_stream, so their length and room are recorded as the fields that
//! hold them (`strm.avail_in`, `strm.avail_out`), beside the call's own arguments.

use seam_runtime::{recorder, Arg};
use seam_zlib::generated::{deflate, deflateInit_};

#[test]
fn deflate_records_the_input_length_and_output_room_of_its_stream() {
    seam_runtime::begin_input();
    let (ret, strm) = deflateInit_(false, 6);
    assert_eq!(ret, 0);
    let mut strm = strm.expect("a live deflate stream");
    let (_, out) = deflate(&mut strm, Some(&[7u8; 300]), 53, 4);
    assert!(!out.is_empty());
    let (_, calls) = recorder::snapshot().expect("the recorder's ring");
    let last = calls.last().expect("deflate recorded");
    assert_eq!(last.func, "deflate");
    assert_eq!(&last.args()[1..], [Arg::unsigned("strm.avail_in", 300), Arg::unsigned("strm.avail_out", 53), Arg::signed("flush", 4)]);
    // No input at all (next_in NULL) is recorded as length 0.
    deflate(&mut strm, None, 8, 0);
    let (_, calls) = recorder::snapshot().expect("the recorder's ring");
    assert_eq!(calls.last().expect("deflate recorded").args()[1], Arg::unsigned("strm.avail_in", 0));
}
