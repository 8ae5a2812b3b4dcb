import os
from graphite.settings import *  # noqa
_d = os.environ['GRAPHITE_TMP']
STORAGE_DIR = _d + '/storage'
WHISPER_DIR = STORAGE_DIR + '/whisper'
STANDARD_DIRS = [WHISPER_DIR]
LOG_DIR = _d + '/log'
INDEX_FILE = STORAGE_DIR + '/index'
CARBONLINK_HOSTS = [os.environ['GRAPHITE_CARBONLINK']]
DATABASES = {'default': {'NAME': STORAGE_DIR + '/graphite.db', 'ENGINE': 'django.db.backends.sqlite3'}}
TAGDB = ''
SECRET_KEY = 'test-only'
ALLOWED_HOSTS = ['127.0.0.1']
LOG_RENDERING_PERFORMANCE = False
LOG_CACHE_PERFORMANCE = False
