package dev.nn4j.io;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** Hand-assembled pickles for tests: the opcodes torch.save writes, plus whatever a hostile file might. */
final class PickleBuilder {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    PickleBuilder() {
        op(0x80, 2);
    }

    PickleBuilder op(int... bytes) {
        for (int b : bytes) {
            out.write(b);
        }
        return this;
    }

    PickleBuilder raw(byte[] bytes) {
        out.writeBytes(bytes);
        return this;
    }

    PickleBuilder global(String module, String name) {
        op('c');
        raw((module + "\n" + name + "\n").getBytes(StandardCharsets.UTF_8));
        return this;
    }

    PickleBuilder str(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        op('X', b.length & 0xff, (b.length >> 8) & 0xff, (b.length >> 16) & 0xff, b.length >>> 24);
        return raw(b);
    }

    PickleBuilder integer(long v) {
        if (v == (int) v) {
            int i = (int) v;
            return op('J', i & 0xff, (i >> 8) & 0xff, (i >> 16) & 0xff, i >>> 24);
        }
        op(0x8a, 8);
        for (int k = 0; k < 8; k++) {
            op((int) (v >>> (8 * k)) & 0xff);
        }
        return this;
    }

    PickleBuilder ints(long... values) {
        mark();
        for (long v : values) {
            integer(v);
        }
        return tuple();
    }

    PickleBuilder mark() {
        return op('(');
    }

    PickleBuilder tuple() {
        return op('t');
    }

    PickleBuilder emptyTuple() {
        return op(')');
    }

    PickleBuilder reduce() {
        return op('R');
    }

    PickleBuilder emptyDict() {
        return op('}');
    }

    PickleBuilder setitem() {
        return op('s');
    }

    PickleBuilder setitems() {
        return op('u');
    }

    PickleBuilder stop() {
        return op('.');
    }

    /** Pushes the storage persistent id ('storage', torch.{cls}, key, 'cpu', numel) and loads it. */
    PickleBuilder storage(String cls, String key, long numel) {
        mark().str("storage").global("torch", cls).str(key).str("cpu").integer(numel).tuple();
        return op('Q');
    }

    /** Pushes _rebuild_tensor_v2(storage, offset, size, stride, False, OrderedDict()). */
    PickleBuilder tensor(String cls, String key, long numel, long offset, long[] size, long[] stride) {
        global("torch._utils", "_rebuild_tensor_v2").mark();
        storage(cls, key, numel).integer(offset).ints(size).ints(stride).op(0x89);
        global("collections", "OrderedDict").emptyTuple().reduce();
        return tuple().reduce();
    }

    byte[] bytes() {
        return out.toByteArray();
    }
}
