import os, sys
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
os.environ['DJANGO_SETTINGS_MODULE'] = 'gitcanary_graphite_settings'
import django
django.setup()
from django.core.wsgi import get_wsgi_application
from wsgiref.simple_server import make_server, WSGIRequestHandler
class Quiet(WSGIRequestHandler):
    def log_message(self, *a): pass
app = get_wsgi_application()
srv = make_server('127.0.0.1', 0, app, handler_class=Quiet)
print('listening', srv.server_port, flush=True)
srv.serve_forever()
