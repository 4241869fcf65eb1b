package dev.nn4j.io;

/** Names of pickle opcodes (Python's pickletools), so that a refusal says which one it met. */
final class Opcodes {
    private static final String[] NAMES = new String[256];

    static {
        NAMES[0x28] = "MARK";
        NAMES[0x29] = "EMPTY_TUPLE";
        NAMES[0x2e] = "STOP";
        NAMES[0x30] = "POP";
        NAMES[0x31] = "POP_MARK";
        NAMES[0x32] = "DUP";
        NAMES[0x42] = "BINBYTES";
        NAMES[0x43] = "SHORT_BINBYTES";
        NAMES[0x46] = "FLOAT";
        NAMES[0x47] = "BINFLOAT";
        NAMES[0x49] = "INT";
        NAMES[0x4a] = "BININT";
        NAMES[0x4b] = "BININT1";
        NAMES[0x4c] = "LONG";
        NAMES[0x4d] = "BININT2";
        NAMES[0x4e] = "NONE";
        NAMES[0x50] = "PERSID";
        NAMES[0x51] = "BINPERSID";
        NAMES[0x52] = "REDUCE";
        NAMES[0x53] = "STRING";
        NAMES[0x54] = "BINSTRING";
        NAMES[0x55] = "SHORT_BINSTRING";
        NAMES[0x56] = "UNICODE";
        NAMES[0x58] = "BINUNICODE";
        NAMES[0x5d] = "EMPTY_LIST";
        NAMES[0x61] = "APPEND";
        NAMES[0x62] = "BUILD";
        NAMES[0x63] = "GLOBAL";
        NAMES[0x64] = "DICT";
        NAMES[0x65] = "APPENDS";
        NAMES[0x67] = "GET";
        NAMES[0x68] = "BINGET";
        NAMES[0x69] = "INST";
        NAMES[0x6a] = "LONG_BINGET";
        NAMES[0x6c] = "LIST";
        NAMES[0x6f] = "OBJ";
        NAMES[0x70] = "PUT";
        NAMES[0x71] = "BINPUT";
        NAMES[0x72] = "LONG_BINPUT";
        NAMES[0x73] = "SETITEM";
        NAMES[0x74] = "TUPLE";
        NAMES[0x75] = "SETITEMS";
        NAMES[0x7d] = "EMPTY_DICT";
        NAMES[0x80] = "PROTO";
        NAMES[0x81] = "NEWOBJ";
        NAMES[0x82] = "EXT1";
        NAMES[0x83] = "EXT2";
        NAMES[0x84] = "EXT4";
        NAMES[0x85] = "TUPLE1";
        NAMES[0x86] = "TUPLE2";
        NAMES[0x87] = "TUPLE3";
        NAMES[0x88] = "NEWTRUE";
        NAMES[0x89] = "NEWFALSE";
        NAMES[0x8a] = "LONG1";
        NAMES[0x8b] = "LONG4";
        NAMES[0x8c] = "SHORT_BINUNICODE";
        NAMES[0x8d] = "BINUNICODE8";
        NAMES[0x8e] = "BINBYTES8";
        NAMES[0x8f] = "EMPTY_SET";
        NAMES[0x90] = "ADDITEMS";
        NAMES[0x91] = "FROZENSET";
        NAMES[0x92] = "NEWOBJ_EX";
        NAMES[0x93] = "STACK_GLOBAL";
        NAMES[0x94] = "MEMOIZE";
        NAMES[0x95] = "FRAME";
        NAMES[0x96] = "BYTEARRAY8";
        NAMES[0x97] = "NEXT_BUFFER";
        NAMES[0x98] = "READONLY_BUFFER";
    }

    private Opcodes() {
    }

    /** {@code "INST (0x69)"}, or {@code "0xff (unknown)"}. */
    static String name(int op) {
        String hex = String.format("0x%02x", op & 0xff);
        String name = NAMES[op & 0xff];
        return name == null ? hex + " (not a pickle opcode)" : name + " (" + hex + ")";
    }
}
