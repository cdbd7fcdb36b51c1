/*
 * unit-inflate.h - for the compression tests: checks a stream with zlib's inflate.
 */
#ifndef UNIT_INFLATE_H
#define UNIT_INFLATE_H

#include <zlib.h>
#include "unit.h"

/* Inflates z[0..zlen) with 'window_bits' (-15 raw deflate, 31 gzip), primed with 'dict' when
 * dict_len > 0, and compares with data[0..len): the stream must end exactly at the end of 'z'. */
static inline void unit_assert_inflates(const void *z, size_t zlen, int window_bits,
                                        const void *dict, size_t dict_len, const void *data,
                                        size_t len)
{
    unsigned char *back = xmalloc(len + 1);
    z_stream s = { 0 };

    assert_int_equal(inflateInit2(&s, window_bits), Z_OK);
    if (dict_len) {
        assert_int_equal(inflateSetDictionary(&s, dict, (uInt)dict_len), Z_OK);
    }
    s.next_in = (unsigned char *)z;
    s.avail_in = (uInt)zlen;
    s.next_out = back;
    s.avail_out = (uInt)len + 1;
    assert_int_equal(inflate(&s, Z_FINISH), Z_STREAM_END);
    assert_int_equal(s.total_out, len);
    assert_int_equal(s.avail_in, 0);
    assert_memory_equal(back, data, len);
    inflateEnd(&s);
    free(back);
}

#endif
