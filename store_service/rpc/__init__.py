"""The gRPC surface: servicers that translate between protobuf and the use cases."""
