"""ctypes binding to libdlrt.so.1, mirroring include/dlrt.h exactly (the subset the benchmark uses)."""
import ctypes as C

import numpy as np

DLRT_MAX_RANK = 8


class SessionOptions(C.Structure):
    # typedef struct dlrt_session_options {
    #     size_t struct_size; uint32_t threads; int64_t batch; void *arena; size_t arena_size; }
    _fields_ = [("struct_size", C.c_size_t), ("threads", C.c_uint32), ("batch", C.c_int64),
                ("arena", C.c_void_p), ("arena_size", C.c_size_t)]


class TensorInfo(C.Structure):
    # typedef struct dlrt_tensor_info { size_t struct_size; const char *name; dlrt_dtype dtype; uint32_t rank;
    #     int64_t shape[DLRT_MAX_RANK]; dlrt_quantization quantization; int32_t quant_axis;
    #     uint32_t quant_count; const float *scales; const int32_t *zero_points; }
    _fields_ = [("struct_size", C.c_size_t), ("name", C.c_char_p), ("dtype", C.c_int), ("rank", C.c_uint32),
                ("shape", C.c_int64 * DLRT_MAX_RANK), ("quantization", C.c_int), ("quant_axis", C.c_int32),
                ("quant_count", C.c_uint32), ("scales", C.POINTER(C.c_float)),
                ("zero_points", C.POINTER(C.c_int32))]


class DlrtError(RuntimeError):
    pass


class Lib:
    def __init__(self, path):
        self.path = path
        L = self.L = C.CDLL(path)
        P = C.c_void_p
        fp = C.POINTER(C.c_float)
        sig = {
            "dlrt_abi_version": (C.c_uint32, []),
            "dlrt_version_string": (C.c_char_p, []),
            "dlrt_status_name": (C.c_char_p, [C.c_int]),
            "dlrt_last_error": (C.c_char_p, []),
            "dlrt_isa": (C.c_char_p, []),
            "dlrt_model_load_file": (C.c_int, [C.c_char_p, P, C.POINTER(P)]),
            "dlrt_model_free": (None, [P]),
            "dlrt_model_node_count": (C.c_size_t, [P]),
            "dlrt_session_options_defaults": (None, [C.POINTER(SessionOptions)]),
            "dlrt_session_arena_size": (C.c_int, [P, C.POINTER(SessionOptions), C.POINTER(C.c_size_t)]),
            "dlrt_session_create": (C.c_int, [P, C.POINTER(SessionOptions), C.POINTER(P)]),
            "dlrt_session_free": (None, [P]),
            "dlrt_session_input_info": (C.c_int, [P, C.c_size_t, C.POINTER(TensorInfo)]),
            "dlrt_session_output_info": (C.c_int, [P, C.c_size_t, C.POINTER(TensorInfo)]),
            "dlrt_session_set_input": (C.c_int, [P, C.c_size_t, fp, C.c_size_t]),
            "dlrt_session_run": (C.c_int, [P]),
            "dlrt_session_get_output": (C.c_int, [P, C.c_size_t, fp, C.c_size_t]),
        }
        for name, (res, args) in sig.items():
            f = getattr(L, name)
            f.restype, f.argtypes = res, args
        if L.dlrt_abi_version() != 1:
            raise DlrtError(f"{path}: ABI version {L.dlrt_abi_version()}, expected 1")
        assert C.sizeof(SessionOptions) == 40 and C.sizeof(TensorInfo) == 120

    def check(self, status, what):
        if status != 0:
            raise DlrtError(f"{what}: {self.L.dlrt_status_name(status).decode()}: "
                            f"{self.L.dlrt_last_error().decode()}")

    def version(self):
        return self.L.dlrt_version_string().decode()

    def isa(self):
        return self.L.dlrt_isa().decode()


class Model:
    def __init__(self, lib, path):
        self.lib = lib
        self.h = C.c_void_p()
        lib.check(lib.L.dlrt_model_load_file(str(path).encode(), None, C.byref(self.h)), f"load {path}")

    def node_count(self):
        return self.lib.L.dlrt_model_node_count(self.h)

    def close(self):
        if self.h:
            self.lib.L.dlrt_model_free(self.h)
            self.h = C.c_void_p()


class Session:
    """One dlrt session; run(x) = set_input + run + get_output into a preallocated array."""

    def __init__(self, model, threads=1, batch=0):
        self.lib, L = model.lib, model.lib.L
        self.model = model
        o = SessionOptions()
        L.dlrt_session_options_defaults(C.byref(o))
        o.struct_size = C.sizeof(SessionOptions)
        o.threads, o.batch = threads, batch
        self.h = C.c_void_p()
        arena = C.c_size_t()
        self.lib.check(L.dlrt_session_arena_size(model.h, C.byref(o), C.byref(arena)), "arena size")
        self.arena_bytes = arena.value
        self.lib.check(L.dlrt_session_create(model.h, C.byref(o), C.byref(self.h)), "session create")
        self.in_shape = self._shape(L.dlrt_session_input_info, 0)
        self.out_shape = self._shape(L.dlrt_session_output_info, 0)
        self.out = np.empty(self.out_shape, np.float32)
        self._out_p = self.out.ctypes.data_as(C.POINTER(C.c_float))
        self._set, self._run, self._get = L.dlrt_session_set_input, L.dlrt_session_run, L.dlrt_session_get_output

    def _shape(self, fn, i):
        info = TensorInfo()
        info.struct_size = C.sizeof(TensorInfo)
        self.lib.check(fn(self.h, i, C.byref(info)), "tensor info")
        return tuple(info.shape[d] for d in range(info.rank))

    def bind(self, x):
        """Keeps x (C-contiguous float32 of the input's shape) for run()."""
        assert x.dtype == np.float32 and x.flags.c_contiguous and x.shape == self.in_shape, (x.shape, self.in_shape)
        self._x = x
        self._x_p = x.ctypes.data_as(C.POINTER(C.c_float))
        self._x_n = x.size

    def run(self):
        h = self.h
        st = self._set(h, 0, self._x_p, self._x_n)
        if st == 0:
            st = self._run(h)
        if st == 0:
            st = self._get(h, 0, self._out_p, self.out.size)
        if st != 0:
            self.lib.check(st, "run")
        return self.out

    def close(self):
        if self.h:
            self.lib.L.dlrt_session_free(self.h)
            self.h = C.c_void_p()
