package dev.nn4j.io;

import dev.nn4j.io.Pickled.Dict;
import dev.nn4j.io.Pickled.PyList;
import dev.nn4j.io.Pickled.Storage;
import dev.nn4j.io.Pickled.TensorRef;
import dev.nn4j.io.Pickled.Tuple;
import dev.nn4j.io.TorchGlobals.Callable;
import dev.nn4j.io.TorchGlobals.StorageType;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A pickle virtual machine that knows only what {@code torch.save(state_dict)} writes.
 *
 * <p>Python's unpickler calls whatever callables the file names, which is why loading an untrusted
 * checkpoint with plain {@code torch.load} can run code. This one interprets a fixed set of opcodes (protocols
 * 2 to 5, minus objects, extensions, bytes and out-of-band buffers), resolves globals through
 * {@link TorchGlobals}'s allow-list, accepts only storage persistent ids, and builds plain values
 * ({@link Pickled}). Every length is checked against the bytes that remain before anything is allocated, and
 * it never recurses, so a hostile pickle costs at most time and memory linear in its size.
 */
final class Unpickler {
    private static final int MAX_RANK = 32;
    private static final int MAX_GLOBAL_LINE = 256;
    // storage keys become zip entry names; PyTorch writes decimal counters
    private static final Pattern STORAGE_KEY = Pattern.compile("[A-Za-z0-9_]{1,64}");

    private final byte[] in;
    private int pos;
    private int opStart;
    private ArrayList<Object> stack = new ArrayList<>();
    private final ArrayDeque<ArrayList<Object>> marks = new ArrayDeque<>();
    private final Map<Long, Object> memo = new HashMap<>();
    private final Map<String, Storage> storages = new HashMap<>();

    private Unpickler(byte[] pickle) {
        this.in = pickle;
    }

    /** The object {@code pickle} describes, built from allow-listed pieces only. */
    static Object load(byte[] pickle) {
        return new Unpickler(pickle).run();
    }

    private Object run() {
        while (pos < in.length) {
            opStart = pos;
            int op = in[pos++] & 0xff;
            switch (op) {
                case 0x80 -> { // PROTO
                    int proto = u8();
                    if (proto > 5) {
                        throw fail("pickle protocol " + proto + " is newer than any Python writes (5)");
                    }
                }
                case 0x95 -> le(8); // FRAME: a frame length is only a read-ahead hint; its opcodes follow inline
                case 0x2e -> { // STOP
                    if (!marks.isEmpty() || stack.size() != 1) {
                        throw fail("STOP with " + (marks.isEmpty() ? stack.size() + " values" : "an open MARK")
                                + " on the stack; expected exactly the result");
                    }
                    return stack.get(0);
                }
                case 0x28 -> { // MARK
                    marks.push(stack);
                    stack = new ArrayList<>();
                }
                case 0x30 -> pop(); // POP
                case 0x31 -> popMark(); // POP_MARK
                case 0x4e -> push(Pickled.None.NONE); // NONE
                case 0x88 -> push(Boolean.TRUE); // NEWTRUE
                case 0x89 -> push(Boolean.FALSE); // NEWFALSE
                case 0x4a -> push((long) le(4).getInt()); // BININT
                case 0x4b -> push((long) u8()); // BININT1
                case 0x4d -> push((long) (le(2).getShort() & 0xffff)); // BININT2
                case 0x8a -> push(long1()); // LONG1
                case 0x47 -> push(ByteBuffer.wrap(take(8)).order(ByteOrder.BIG_ENDIAN).getDouble()); // BINFLOAT
                case 0x58 -> push(utf8(take(length(4)))); // BINUNICODE
                case 0x8c -> push(utf8(take(u8()))); // SHORT_BINUNICODE
                case 0x8d -> push(utf8(take(length(8)))); // BINUNICODE8
                case 0x54 -> push(utf8(take(length(4)))); // BINSTRING: Python 2 str, read as UTF-8 like torch.load
                case 0x55 -> push(utf8(take(u8()))); // SHORT_BINSTRING
                case 0x7d -> push(new Dict(false)); // EMPTY_DICT
                case 0x64 -> { // DICT
                    Dict d = new Dict(false);
                    setItems(d, popMark());
                    push(d);
                }
                case 0x5d -> push(new PyList()); // EMPTY_LIST
                case 0x6c -> { // LIST
                    PyList l = new PyList();
                    l.items.addAll(popMark());
                    push(l);
                }
                case 0x61 -> { // APPEND
                    Object item = pop();
                    list(top(), "APPEND").items.add(item);
                }
                case 0x65 -> { // APPENDS
                    List<Object> items = popMark();
                    list(top(), "APPENDS").items.addAll(items);
                }
                case 0x73 -> { // SETITEM
                    Object value = pop();
                    Object key = pop();
                    setItems(dict(top(), "SETITEM"), List.of(key, value));
                }
                case 0x75 -> { // SETITEMS
                    List<Object> items = popMark();
                    setItems(dict(top(), "SETITEMS"), items);
                }
                case 0x29 -> push(new Tuple(List.of())); // EMPTY_TUPLE
                case 0x74 -> push(new Tuple(popMark())); // TUPLE
                case 0x85, 0x86, 0x87 -> { // TUPLE1, TUPLE2, TUPLE3
                    int n = op - 0x84;
                    Object[] items = new Object[n];
                    for (int i = n - 1; i >= 0; i--) {
                        items[i] = pop();
                    }
                    push(new Tuple(List.of(items)));
                }
                case 0x71 -> memo.put((long) u8(), top()); // BINPUT
                case 0x72 -> memo.put(le(4).getInt() & 0xffffffffL, top()); // LONG_BINPUT
                case 0x94 -> memo.put((long) memo.size(), top()); // MEMOIZE
                case 0x68 -> push(memoGet(u8())); // BINGET
                case 0x6a -> push(memoGet(le(4).getInt() & 0xffffffffL)); // LONG_BINGET
                case 0x63 -> push(global(line(), line())); // GLOBAL
                case 0x93 -> { // STACK_GLOBAL
                    Object name = pop();
                    Object module = pop();
                    if (!(module instanceof String m) || !(name instanceof String n)) {
                        throw fail("STACK_GLOBAL needs two strings, got " + Pickled.typeName(module) + " and "
                                + Pickled.typeName(name));
                    }
                    push(global(m, n));
                }
                case 0x51 -> push(storage(pop())); // BINPERSID
                case 0x52 -> { // REDUCE
                    Object args = pop();
                    Object callable = pop();
                    push(reduce(callable, args));
                }
                case 0x62 -> { // BUILD
                    Object state = pop();
                    build(top(), state);
                }
                default -> throw fail("opcode " + Opcodes.name(op) + " is not allowed in a state dict pickle");
            }
        }
        throw fail("the pickle ends without STOP (truncated data.pkl)");
    }

    // ---------------------------------------------------------------- calls

    private Object reduce(Object callable, Object argsObject) {
        if (!(callable instanceof Callable c)) {
            throw fail("REDUCE on " + Pickled.typeName(callable) + ", which is not callable here");
        }
        if (!(argsObject instanceof Tuple args)) {
            throw fail(c.qualifiedName() + " called with " + Pickled.typeName(argsObject) + " instead of a tuple");
        }
        switch (c) {
            case ORDERED_DICT -> {
                // the pickler emits OrderedDict() and then SETITEMS; items passed as arguments never occur
                arity(c, args, 0, 0);
                return new Dict(true);
            }
            case SIZE -> {
                arity(c, args, 1, 1);
                longs(args.get(0), "torch.Size", 0);
                return args.get(0);
            }
            case REBUILD_PARAMETER, REBUILD_PARAMETER_WITH_STATE -> {
                // (data, requires_grad, backward_hooks[, state]): the values are data's; grad state does not load
                int n = c == Callable.REBUILD_PARAMETER ? 3 : 4;
                arity(c, args, n, n);
                if (!(args.get(0) instanceof TensorRef t)) {
                    throw fail(c.qualifiedName() + " expects a tensor, got " + Pickled.typeName(args.get(0)));
                }
                return t;
            }
            case REBUILD_TENSOR_V2 -> {
                return rebuildTensor(args);
            }
            default -> throw new AssertionError(c);
        }
    }

    /** {@code _rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad, backward_hooks[, metadata])}. */
    private TensorRef rebuildTensor(Tuple args) {
        String fn = Callable.REBUILD_TENSOR_V2.qualifiedName();
        arity(Callable.REBUILD_TENSOR_V2, args, 6, 7);
        if (!(args.get(0) instanceof Storage storage)) {
            throw fail(fn + " expects a storage first, got " + Pickled.typeName(args.get(0)));
        }
        if (!(args.get(1) instanceof Long offset) || offset < 0) {
            throw fail(fn + ": storage offset must be an int >= 0");
        }
        long[] size = longs(args.get(2), "tensor size", 0);
        long[] stride = longs(args.get(3), "tensor stride", 0);
        if (size.length != stride.length) {
            throw fail(fn + ": size has " + size.length + " dims but stride has " + stride.length);
        }
        if (size.length > MAX_RANK) {
            throw fail(fn + ": " + size.length + " dims; at most " + MAX_RANK + " are supported");
        }
        if (!(args.get(4) instanceof Boolean)) {
            throw fail(fn + ": requires_grad must be a bool, got " + Pickled.typeName(args.get(4)));
        }
        try {
            long numel = 1;
            long last = offset;
            for (int d = 0; d < size.length; d++) {
                numel = Math.multiplyExact(numel, size[d]);
                if (size[d] > 0) {
                    last = Math.addExact(last, Math.multiplyExact(size[d] - 1, stride[d]));
                }
            }
            if (numel > 0 && last >= storage.numel()) {
                throw fail("tensor of size " + java.util.Arrays.toString(size) + ", stride "
                        + java.util.Arrays.toString(stride) + " and offset " + offset + " reaches element " + last
                        + " of storage '" + storage.key() + "', which holds " + storage.numel());
            }
        } catch (ArithmeticException e) {
            throw fail("tensor size " + java.util.Arrays.toString(size) + " overflows a 64-bit element count");
        }
        return new TensorRef(storage, offset, size, stride);
    }

    /** Persistent ids are how torch.save points from the pickle to the raw storages in the zip. */
    private Storage storage(Object pid) {
        if (!(pid instanceof Tuple t) || t.size() != 5 || !"storage".equals(t.get(0))) {
            throw fail("persistent id " + describePid(pid) + " is not ('storage', type, key, location, numel)");
        }
        if (!(t.get(1) instanceof StorageType type)) {
            throw fail("persistent id names " + Pickled.typeName(t.get(1)) + " instead of a storage class");
        }
        if (!(t.get(2) instanceof String key) || !STORAGE_KEY.matcher(key).matches()) {
            throw fail("persistent id has a storage key that is not a short alphanumeric string");
        }
        if (!(t.get(3) instanceof String)) {
            throw fail("persistent id has a location that is not a string");
        }
        if (!(t.get(4) instanceof Long numel) || numel < 0) {
            throw fail("persistent id has a storage size that is not an int >= 0");
        }
        Storage s = new Storage(key, type.dtype(), numel);
        Storage seen = storages.putIfAbsent(key, s);
        if (seen != null && !seen.equals(s)) {
            throw fail("storage '" + key + "' is declared as " + seen.numel() + " " + seen.dtype().dtypeName
                    + " and as " + numel + " " + s.dtype().dtypeName);
        }
        return s;
    }

    private static String describePid(Object pid) {
        if (pid instanceof Tuple t && t.size() > 0 && t.get(0) instanceof String kind && kind.length() <= 64) {
            return "('" + kind + "', ...) of " + t.size();
        }
        return "of type " + Pickled.typeName(pid);
    }

    private Object global(String module, String name) {
        try {
            return TorchGlobals.resolve(module, name);
        } catch (CheckpointException e) {
            throw fail(e.getMessage());
        }
    }

    private void build(Object instance, Object state) {
        // torch.save(model.state_dict()) sets the OrderedDict's _metadata attribute (per-module versions) this way
        if (instance instanceof Dict d && d.ordered && state instanceof Dict) {
            return;
        }
        throw fail("BUILD on " + Pickled.typeName(instance) + " with " + Pickled.typeName(state)
                + "; only an OrderedDict's attributes may be set");
    }

    private void arity(Callable c, Tuple args, int min, int max) {
        if (args.size() < min || args.size() > max) {
            throw fail(c.qualifiedName() + " called with " + args.size() + " arguments; expected "
                    + (min == max ? String.valueOf(min) : min + " to " + max));
        }
    }

    private long[] longs(Object o, String what, long min) {
        if (!(o instanceof Tuple t)) {
            throw fail(what + " must be a tuple of ints, got " + Pickled.typeName(o));
        }
        if (t.size() > MAX_RANK) {
            throw fail(what + " has " + t.size() + " dims; at most " + MAX_RANK + " are supported");
        }
        long[] out = new long[t.size()];
        for (int i = 0; i < out.length; i++) {
            if (!(t.get(i) instanceof Long v) || v < min) {
                throw fail(what + " must hold ints >= " + min + ", got " + Pickled.typeName(t.get(i))
                        + (t.get(i) instanceof Long v2 ? " " + v2 : ""));
            }
            out[i] = (Long) t.get(i);
        }
        return out;
    }

    // ---------------------------------------------------------------- containers

    private void setItems(Dict d, List<Object> items) {
        if (items.size() % 2 != 0) {
            throw fail("odd number of values for dict keys and values: " + items.size());
        }
        for (int i = 0; i < items.size(); i += 2) {
            d.items.put(hashable(items.get(i)), items.get(i + 1));
        }
    }

    /**
     * State dicts key by str, optimizer states by int. Tuple keys would need structural hashing, which memo sharing
     * makes exponential, and no checkpoint uses them.
     */
    private Object hashable(Object key) {
        if (key instanceof String || key instanceof Long || key instanceof Double || key instanceof Boolean
                || key instanceof Pickled.None) {
            return key;
        }
        throw fail("dict key of type " + Pickled.typeName(key) + " is not supported (only str, int, float, bool, None)");
    }

    private PyList list(Object o, String op) {
        if (o instanceof PyList l) {
            return l;
        }
        throw fail(op + " on " + Pickled.typeName(o) + "; only lists can be appended to");
    }

    private Dict dict(Object o, String op) {
        if (o instanceof Dict d) {
            return d;
        }
        throw fail(op + " on " + Pickled.typeName(o) + "; only dicts take items");
    }

    // ---------------------------------------------------------------- stack and memo

    private void push(Object o) {
        stack.add(o);
    }

    private Object pop() {
        if (stack.isEmpty()) {
            throw fail("stack underflow" + (marks.isEmpty() ? "" : " (past a MARK)"));
        }
        return stack.remove(stack.size() - 1);
    }

    private Object top() {
        if (stack.isEmpty()) {
            throw fail("stack underflow" + (marks.isEmpty() ? "" : " (past a MARK)"));
        }
        return stack.get(stack.size() - 1);
    }

    private List<Object> popMark() {
        if (marks.isEmpty()) {
            throw fail("no MARK to pop to");
        }
        List<Object> items = stack;
        stack = marks.pop();
        return items;
    }

    private Object memoGet(long index) {
        Object o = memo.get(index);
        if (o == null) {
            throw fail("memo slot " + index + " read before it was written");
        }
        return o;
    }

    // ---------------------------------------------------------------- reading bytes

    private void need(long n) {
        if (n < 0 || n > in.length - pos) {
            throw fail("the pickle is truncated: " + Opcodes.name(in[opStart] & 0xff) + " needs " + n
                    + " bytes but " + (in.length - pos) + " remain");
        }
    }

    private byte[] take(long n) {
        need(n);
        byte[] out = new byte[(int) n];
        System.arraycopy(in, pos, out, 0, (int) n);
        pos += (int) n;
        return out;
    }

    private ByteBuffer le(int n) {
        return ByteBuffer.wrap(take(n)).order(ByteOrder.LITTLE_ENDIAN);
    }

    private int u8() {
        need(1);
        return in[pos++] & 0xff;
    }

    /** An unsigned little-endian length of 4 or 8 bytes, refused unless the bytes it counts are present. */
    private long length(int width) {
        ByteBuffer b = le(width);
        long n = width == 4 ? b.getInt() & 0xffffffffL : b.getLong();
        need(n);
        return n;
    }

    /** LONG1: a little-endian two's-complement int of 0 to 255 bytes; more than 8 cannot be a size or an index. */
    private long long1() {
        int n = u8();
        if (n > 8) {
            throw fail("LONG1 of " + n + " bytes does not fit 64 bits");
        }
        byte[] b = take(n);
        long v = 0;
        for (int i = n - 1; i >= 0; i--) {
            v = (v << 8) | (b[i] & 0xff);
        }
        if (n > 0 && n < 8 && b[n - 1] < 0) {
            v -= 1L << (8 * n); // sign-extend
        }
        return v;
    }

    /** One newline-terminated line of a GLOBAL opcode. */
    private String line() {
        int start = pos;
        while (pos < in.length && in[pos] != '\n') {
            if (pos - start >= MAX_GLOBAL_LINE) {
                throw fail("GLOBAL name longer than " + MAX_GLOBAL_LINE + " bytes");
            }
            pos++;
        }
        if (pos >= in.length) {
            throw fail("the pickle is truncated inside a GLOBAL name");
        }
        byte[] b = new byte[pos - start];
        System.arraycopy(in, start, b, 0, b.length);
        pos++;
        return utf8(b);
    }

    private String utf8(byte[] b) {
        try {
            CharBuffer c = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(b));
            return c.toString();
        } catch (CharacterCodingException e) {
            throw fail("a string is not valid UTF-8");
        }
    }

    private CheckpointException fail(String message) {
        return new CheckpointException("data.pkl, byte " + opStart + ": " + message);
    }
}
