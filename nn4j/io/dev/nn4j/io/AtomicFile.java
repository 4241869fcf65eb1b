package dev.nn4j.io;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Replaces a file all at once: the content goes to a temporary file in the same directory, is forced to disk,
 * and is then renamed over the target. A crash or an exception at any point leaves either the old file or the
 * complete new one, never a torn mix, and the temporary file is removed on failure. Like any rename, it replaces
 * a symbolic link at the target rather than the file the link points to.
 */
final class AtomicFile {
    /** Writes the whole content to a fresh file channel. */
    @FunctionalInterface
    interface Content {
        void writeTo(FileChannel out) throws IOException;
    }

    private static final int MAX_NAME_IN_TEMP = 100;

    private AtomicFile() {
    }

    /**
     * Writes {@code content} to {@code target}, atomically replacing any existing file.
     *
     * @throws CheckpointException on an I/O failure (the old file, if any, is untouched)
     */
    static void write(Path target, Content content) {
        Path file = target.toAbsolutePath();
        Path dir = file.getParent();
        if (Files.isDirectory(file)) {
            throw new CheckpointException("cannot write checkpoint " + target + ": it is a directory");
        }
        if (dir == null || !Files.isDirectory(dir)) {
            throw new CheckpointException("cannot write checkpoint " + target + ": directory " + dir
                    + " does not exist");
        }
        Path tmp = null;
        boolean moved = false;
        try {
            tmp = createTemp(dir, file.getFileName().toString());
            try (FileChannel out = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                content.writeTo(out);
                // the rename must not reach the disk before the data, or a crash could leave a complete-looking,
                // zero-filled file under the target name
                out.force(true);
            }
            // same directory, so same file system: the rename is atomic; never fall back to a copy
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            moved = true;
        } catch (IOException e) {
            throw new CheckpointException("cannot write checkpoint " + target + ": " + e, e);
        } finally {
            if (!moved && tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // the original failure is what the caller needs to see
                }
            }
        }
        syncDirectory(dir);
    }

    /** A new empty file next to the target; created with CREATE_NEW so default permissions apply, as for the target. */
    private static Path createTemp(Path dir, String name) throws IOException {
        String base = "." + (name.length() > MAX_NAME_IN_TEMP ? name.substring(0, MAX_NAME_IN_TEMP) : name) + ".";
        for (int attempt = 0; ; attempt++) {
            Path tmp = dir.resolve(base + Long.toHexString(ThreadLocalRandom.current().nextLong()) + ".tmp");
            try {
                FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE).close();
                return tmp;
            } catch (FileAlreadyExistsException e) {
                if (attempt >= 16) {
                    throw e;
                }
            }
        }
    }

    /**
     * Makes the rename itself durable (POSIX keeps directory entries in the directory's own data). Best effort:
     * some platforms cannot open a directory for syncing, and the file content is already safe either way.
     */
    private static void syncDirectory(Path dir) {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException | UnsupportedOperationException ignored) {
            // not supported here (e.g. Windows); the new file is complete, only the rename's durability is weaker
        }
    }
}
