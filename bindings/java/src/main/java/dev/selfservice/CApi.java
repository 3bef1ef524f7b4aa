package dev.selfservice;

import com.sun.jna.Callback;
import com.sun.jna.IntegerType;
import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.PointerByReference;
import java.util.Map;

/**
 * The C ABI of libselfservice (capi/selfservice.h) as JNA sees it.
 *
 * <p>Every char* the library returns is declared as {@link Pointer}, never as String: JNA would
 * otherwise copy it and drop the pointer, and the string could never reach selfservice_free().
 * {@link Strings#take} copies and frees them. Strings passed in are encoded as UTF-8 by the
 * library option below, whatever the platform's default charset.
 *
 * <p>The library is loaded once, on first use, from the path in the environment variable
 * SELFSERVICE_LIBRARY when it is set, else by name ("selfservice": libselfservice.so on the
 * loader's search path or jna.library.path).
 */
interface CApi extends Library {
  CApi LIB = load();

  private static CApi load() {
    String path = System.getenv("SELFSERVICE_LIBRARY");
    String name = path == null || path.isEmpty() ? "selfservice" : path;
    return Native.load(name, CApi.class, Map.of(Library.OPTION_STRING_ENCODING, "UTF-8"));
  }

  /** selfservice_progress_fn. */
  interface ProgressFn extends Callback {
    int invoke(Pointer userData, long done, long total);
  }

  /** selfservice_event_fn; the event stays the library's, so it is a Pointer read in place. */
  interface EventFn extends Callback {
    void invoke(Pointer userData, Pointer eventJson);
  }

  /** selfservice_destroy_fn. */
  interface DestroyFn extends Callback {
    void invoke(Pointer userData);
  }

  /** C size_t, whose width JNA knows for the platform. */
  final class SizeT extends IntegerType {
    private static final long serialVersionUID = 1L;

    public SizeT() {
      this(0);
    }

    public SizeT(long value) {
      super(Native.SIZE_T_SIZE, value, true);
    }
  }

  /** A static string: read, never freed. */
  Pointer selfservice_version();

  int selfservice_abi_version();

  Pointer selfservice_methods();

  // since 0.5.0
  Pointer selfservice_health(Pointer portal);

  Pointer selfservice_portal_open(String optionsJson, PointerByReference errorJson);

  void selfservice_portal_close(Pointer portal);

  Pointer selfservice_invoke(Pointer portal, String method, String contextJson, String requestJson);

  Pointer selfservice_invoke_with_progress(Pointer portal, String method, String contextJson,
                                           String requestJson, ProgressFn progress, Pointer userData);

  long selfservice_subscribe(Pointer portal, String topicJson, EventFn callback, Pointer userData,
                             DestroyFn destroy, PointerByReference errorJson);

  int selfservice_unsubscribe(Pointer portal, long subscriptionId);

  Pointer selfservice_upload_chunk(Pointer portal, String contextJson, String uploadId, long offset,
                                   byte[] data, SizeT len);

  Pointer selfservice_upload_chunk_checked(Pointer portal, String contextJson, String uploadId,
                                           long offset, byte[] data, SizeT len, String chunkSha256);

  // since 0.6.0; a download is an opaque Pointer, `download` receives it.
  Pointer selfservice_download_open(Pointer portal, String method, String contextJson, String requestJson,
                                    PointerByReference download);

  long selfservice_download_read(Pointer download, Pointer buf, SizeT len, PointerByReference errorJson);

  void selfservice_download_close(Pointer download);

  void selfservice_free(Pointer p);
}
