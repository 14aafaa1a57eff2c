"""DEX audit upload: ``POST /api/dex`` with a multipart ``file``."""

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from sales.choices import DexImportStatus
from sales.dex.services import dex_file_size_validate, dex_import, dex_import_issues
from sales.models import DexImport


class DexUploadSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="A DEX (EVA-DTS) audit file, as read from the machine.")

    def validate_file(self, upload):
        if "\x00" in upload.name:
            raise serializers.ValidationError("Null characters are not allowed in the file name.")
        try:
            dex_file_size_validate(upload.size)
        except DjangoValidationError as error:
            raise serializers.ValidationError(error.messages) from error
        return upload


class DexImportSerializer(serializers.ModelSerializer):
    device_asset = serializers.CharField(source="device.asset", allow_null=True, default=None)
    warnings = serializers.SerializerMethodField()

    class Meta:
        model = DexImport
        fields = [
            "id",
            "file_name",
            "status",
            "device",
            "device_asset",
            "machine_serial",
            "machine_asset",
            "read_at",
            "sales_recorded",
            "warnings",
            "uploaded_at",
        ]

    def get_warnings(self, record) -> list[str]:
        return dex_import_issues(record, "warnings")


class DexImportView(GenericAPIView):
    """Import a DEX audit: record what each selection sold since the machine's previous read.

    Answers 201 with the import (status, device, read time, sales recorded, warnings); 200 with the
    earlier import when the same file was imported before (nothing is recorded again); 400 with
    ``{"file": ["line 7: …"]}`` for a file that cannot be read or imported, which records nothing.
    The first read of a machine records nothing: it is the base the next read is counted from.
    """

    queryset = DexImport.objects.all()  # names the model for the role permissions (add_deximport)
    serializer_class = DexUploadSerializer
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        request={"multipart/form-data": DexUploadSerializer},
        responses={
            201: DexImportSerializer,
            200: OpenApiResponse(DexImportSerializer, description="Imported before; nothing recorded again."),
            400: OpenApiResponse(description='{"file": ["line 7: …"]}: not imported, nothing recorded.'),
        },
    )
    def post(self, request):
        upload_serializer = self.get_serializer(data=request.data)
        upload_serializer.is_valid(raise_exception=True)
        upload = upload_serializer.validated_data["file"]
        record, imported_now = dex_import(file_name=upload.name, data=upload.read(), user=request.user)
        if record.status == DexImportStatus.REJECTED:
            return Response({"file": dex_import_issues(record, "errors")}, status=status.HTTP_400_BAD_REQUEST)
        return Response(
            DexImportSerializer(record).data, status=status.HTTP_201_CREATED if imported_now else status.HTTP_200_OK
        )
