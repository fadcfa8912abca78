#!/usr/bin/python3
"""grpcio peer for the MlAspire.Grpc interop tests (run with Debian's /usr/bin/python3).

  interop.py --protos DIR server                  serve grpc.testing.TestService on 127.0.0.1:0, print the port
  interop.py --protos DIR client PORT CASE        run one interop case against 127.0.0.1:PORT, exit 0 on success

Stubs are generated at start from the .proto files with grpc_tools.protoc into a temporary folder.
"""
import argparse
import os
import sys
import tempfile
import threading
import time
from concurrent import futures


def load_stubs(proto_dir):
    from grpc_tools import protoc
    out = tempfile.mkdtemp(prefix="mlaspire-interop-")
    args = ["protoc", "-I" + proto_dir, "--python_out=" + out, "--grpc_python_out=" + out,
            "empty.proto", "messages.proto", "test.proto"]
    if protoc.main(args) != 0:
        raise SystemExit("protoc failed")
    sys.path.insert(0, out)
    import empty_pb2, messages_pb2, test_pb2_grpc  # noqa: E401
    return empty_pb2, messages_pb2, test_pb2_grpc


INITIAL_KEY = "x-grpc-test-echo-initial"
TRAILING_KEY = "x-grpc-test-echo-trailing-bin"


def run_server(empty_pb2, messages_pb2, test_pb2_grpc):
    import grpc

    def echo_metadata(context):
        md = dict(context.invocation_metadata())
        if INITIAL_KEY in md:
            context.send_initial_metadata(((INITIAL_KEY, md[INITIAL_KEY]),))
        if TRAILING_KEY in md:
            context.set_trailing_metadata(((TRAILING_KEY, md[TRAILING_KEY]),))

    def payload(size):
        return messages_pb2.Payload(body=b"\0" * size)

    class TestService(test_pb2_grpc.TestServiceServicer):
        def EmptyCall(self, request, context):
            return empty_pb2.Empty()

        def UnaryCall(self, request, context):
            echo_metadata(context)
            if request.response_status.code != 0:
                context.set_code(grpc.StatusCode(_code(request.response_status.code)))
                context.set_details(request.response_status.message)
                return messages_pb2.SimpleResponse()
            if request.HasField("response_compressed"):
                context.set_compression(grpc.Compression.Gzip if request.response_compressed.value
                                        else grpc.Compression.NoCompression)
            return messages_pb2.SimpleResponse(payload=payload(request.response_size))

        def StreamingOutputCall(self, request, context):
            for p in request.response_parameters:
                if p.interval_us:
                    time.sleep(p.interval_us / 1e6)
                yield messages_pb2.StreamingOutputCallResponse(payload=payload(p.size))

        def StreamingInputCall(self, request_iterator, context):
            total = sum(len(r.payload.body) for r in request_iterator)
            return messages_pb2.StreamingInputCallResponse(aggregated_payload_size=total)

        def FullDuplexCall(self, request_iterator, context):
            echo_metadata(context)
            for request in request_iterator:
                if request.response_status.code != 0:
                    context.set_code(grpc.StatusCode(_code(request.response_status.code)))
                    context.set_details(request.response_status.message)
                    return
                for p in request.response_parameters:
                    if p.interval_us:
                        time.sleep(p.interval_us / 1e6)
                    yield messages_pb2.StreamingOutputCallResponse(payload=payload(p.size))

    server = grpc.server(futures.ThreadPoolExecutor(max_workers=16))
    test_pb2_grpc.add_TestServiceServicer_to_server(TestService(), server)
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    print(port, flush=True)
    # Stop when the test fixture closes stdin (or dies).
    sys.stdin.read()
    server.stop(0)


def _code(number):
    import grpc
    for code in grpc.StatusCode:
        if code.value[0] == number:
            return code.value
    raise ValueError(number)


class CaseFailed(Exception):
    pass


def check(condition, message):
    if not condition:
        raise CaseFailed(message)


def run_client(port, case, empty_pb2, messages_pb2, test_pb2_grpc):
    import grpc
    channel = grpc.insecure_channel("127.0.0.1:%d" % port, options=[("grpc.enable_http_proxy", 0)])
    grpc.channel_ready_future(channel).result(timeout=10)
    stub = test_pb2_grpc.TestServiceStub(channel)
    zeros = lambda n: messages_pb2.Payload(body=b"\0" * n)  # noqa: E731
    Req = messages_pb2.StreamingOutputCallRequest
    Params = messages_pb2.ResponseParameters

    def expect_error(fn, code, details=None):
        try:
            fn()
        except grpc.RpcError as e:
            check(e.code() == code, "expected %s, got %s (%s)" % (code, e.code(), e.details()))
            if details is not None:
                check(e.details() == details, "expected details %r, got %r" % (details, e.details()))
            return e
        raise CaseFailed("expected %s, call succeeded" % code)

    if case == "empty_unary":
        check(stub.EmptyCall(empty_pb2.Empty(), timeout=10) == empty_pb2.Empty(), "response not empty")
    elif case == "large_unary":
        r = stub.UnaryCall(messages_pb2.SimpleRequest(response_size=314159, payload=zeros(271828)), timeout=10)
        check(r.payload.body == b"\0" * 314159, "bad payload size %d" % len(r.payload.body))
    elif case == "client_compressed_unary":
        probe = messages_pb2.SimpleRequest(expect_compressed=messages_pb2.BoolValue(value=True),
                                           response_size=314159, payload=zeros(271828))
        expect_error(lambda: stub.UnaryCall(probe, timeout=10), grpc.StatusCode.INVALID_ARGUMENT)
        r = stub.UnaryCall(probe, timeout=10, compression=grpc.Compression.Gzip)
        check(len(r.payload.body) == 314159, "compressed call: bad size")
        plain = messages_pb2.SimpleRequest(expect_compressed=messages_pb2.BoolValue(value=False),
                                           response_size=314159, payload=zeros(271828))
        r = stub.UnaryCall(plain, timeout=10)
        check(len(r.payload.body) == 314159, "uncompressed call: bad size")
    elif case == "server_compressed_unary":
        for flag in (True, False):
            r = stub.UnaryCall(messages_pb2.SimpleRequest(response_compressed=messages_pb2.BoolValue(value=flag),
                                                          response_size=314159, payload=zeros(271828)), timeout=10)
            check(len(r.payload.body) == 314159, "bad size with response_compressed=%s" % flag)
    elif case == "client_streaming":
        sizes = [27182, 8, 1828, 45904]
        r = stub.StreamingInputCall(iter([messages_pb2.StreamingInputCallRequest(payload=zeros(n)) for n in sizes]),
                                    timeout=10)
        check(r.aggregated_payload_size == 74922, "aggregated %d" % r.aggregated_payload_size)
    elif case == "server_streaming":
        sizes = [31415, 9, 2653, 58979]
        got = [len(r.payload.body) for r in
               stub.StreamingOutputCall(Req(response_parameters=[Params(size=n) for n in sizes]), timeout=10)]
        check(got == sizes, "sizes %s" % got)
    elif case == "ping_pong":
        pairs = [(31415, 27182), (9, 8), (2653, 1828), (58979, 45904)]
        import queue
        q = queue.Queue()

        def requests():
            while True:
                item = q.get()
                if item is None:
                    return
                yield item
        call = stub.FullDuplexCall(requests(), timeout=10)
        for size, body in pairs:
            q.put(Req(response_parameters=[Params(size=size)], payload=zeros(body)))
            r = next(call)
            check(len(r.payload.body) == size, "got %d want %d" % (len(r.payload.body), size))
        q.put(None)
        check(next(call, None) is None, "more responses than requests")
    elif case == "empty_stream":
        got = list(stub.FullDuplexCall(iter([]), timeout=10))
        check(got == [], "expected zero responses, got %d" % len(got))
    elif case == "cancel_after_begin":
        block = threading.Event()

        def requests():
            block.wait(10)
            return
            yield  # noqa
        future = stub.StreamingInputCall.future(requests(), timeout=10)
        time.sleep(0.2)
        future.cancel()
        check(future.cancelled(), "future not cancelled")
        block.set()
    elif case == "cancel_after_first_response":
        import queue
        q = queue.Queue()

        def requests():
            while True:
                item = q.get()
                if item is None:
                    return
                yield item
        call = stub.FullDuplexCall(requests(), timeout=10)
        q.put(Req(response_parameters=[Params(size=31415)], payload=zeros(27182)))
        r = next(call)
        check(len(r.payload.body) == 31415, "first response size")
        call.cancel()
        q.put(None)
        expect_error(lambda: next(call), grpc.StatusCode.CANCELLED)
    elif case == "timeout_on_sleeping_server":
        import queue
        q = queue.Queue()

        def requests():
            yield Req(payload=zeros(27182))
            q.get(timeout=5)
        call = stub.FullDuplexCall(requests(), timeout=0.001)
        expect_error(lambda: list(call), grpc.StatusCode.DEADLINE_EXCEEDED)
        q.put(None)
    elif case in ("status_code_and_message", "special_status_message"):
        message = "test status message" if case == "status_code_and_message" else \
            "\t\ntest with whitespace\r\nand Unicode BMP \u263A and non-BMP \U0001F608\t\n"
        status = messages_pb2.EchoStatus(code=2, message=message)
        expect_error(lambda: stub.UnaryCall(messages_pb2.SimpleRequest(response_status=status), timeout=10),
                     grpc.StatusCode.UNKNOWN, message)
        if case == "status_code_and_message":
            expect_error(lambda: list(stub.FullDuplexCall(iter([Req(response_status=status)]), timeout=10)),
                         grpc.StatusCode.UNKNOWN, message)
    elif case == "custom_metadata":
        md = ((INITIAL_KEY, "test_initial_metadata_value"), (TRAILING_KEY, b"\xab\xab\xab"))
        r, call = stub.UnaryCall.with_call(messages_pb2.SimpleRequest(response_size=314159, payload=zeros(271828)),
                                           metadata=md, timeout=10)
        check(len(r.payload.body) == 314159, "unary size")
        check((INITIAL_KEY, "test_initial_metadata_value") in call.initial_metadata(),
              "initial %s" % (call.initial_metadata(),))
        check((TRAILING_KEY, b"\xab\xab\xab") in call.trailing_metadata(), "trailing %s" % (call.trailing_metadata(),))
        dcall = stub.FullDuplexCall(iter([Req(response_parameters=[Params(size=314159)], payload=zeros(271828))]),
                                    metadata=md, timeout=10)
        sizes = [len(x.payload.body) for x in dcall]
        check(sizes == [314159], "duplex sizes %s" % sizes)
        check((INITIAL_KEY, "test_initial_metadata_value") in dcall.initial_metadata(), "duplex initial")
        check((TRAILING_KEY, b"\xab\xab\xab") in dcall.trailing_metadata(), "duplex trailing")
    elif case == "unimplemented_method":
        expect_error(lambda: stub.UnimplementedCall(empty_pb2.Empty(), timeout=10), grpc.StatusCode.UNIMPLEMENTED)
    elif case == "unimplemented_service":
        other = test_pb2_grpc.UnimplementedServiceStub(channel)
        expect_error(lambda: other.UnimplementedCall(empty_pb2.Empty(), timeout=10), grpc.StatusCode.UNIMPLEMENTED)
    else:
        raise CaseFailed("unknown case " + case)
    channel.close()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--protos", required=True)
    sub = parser.add_subparsers(dest="mode", required=True)
    sub.add_parser("server")
    client = sub.add_parser("client")
    client.add_argument("port", type=int)
    client.add_argument("case")
    args = parser.parse_args()
    stubs = load_stubs(os.path.abspath(args.protos))
    if args.mode == "server":
        run_server(*stubs)
        return 0
    try:
        run_client(args.port, args.case, *stubs)
    except CaseFailed as e:
        print("FAILED %s: %s" % (args.case, e), flush=True)
        return 1
    print("PASSED " + args.case, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
